<?php

declare(strict_types=1);

namespace RR\Worker\Http;

/**
 * A request loop for applications without PSR-7.
 *
 * ```php
 * Server::serve(fn (Request $r) => [200, ['Content-Type' => 'text/plain'], 'Hello']);
 * ```
 *
 * The handler returns a Response, an array `[status, headers, body]` (headers and body may be
 * left out), or a string (200 text/html, like PHP would). A body may be an iterable of chunks to
 * stream. A Throwable escaping the handler becomes a soft error: the server answers 500 (with
 * the message in the body only when the pool runs in debug mode) and this worker keeps serving.
 */
final class Server
{
    /**
     * @param callable(Request): (Response|array|string|null) $handler
     */
    public static function serve(callable $handler, ?HttpWorker $worker = null): void
    {
        $worker ??= HttpWorker::create();
        while ($request = $worker->waitRequest()) {
            try {
                $response = self::normalise($handler($request));
            } catch (\Throwable $e) {
                self::fail($worker, $e);
                continue;
            }
            try {
                $worker->respond($response->status, $response->body, $response->headers);
            } catch (\RR\Worker\Goridge\RelayException $e) {
                throw $e;
            } catch (\Throwable $e) {
                // Only reachable while streaming: the generator threw half way.
                self::fail($worker, $e);
            }
        }
    }

    public static function normalise(mixed $result): Response
    {
        if ($result instanceof Response) {
            return $result;
        }
        if (is_string($result)) {
            return new Response(200, ['Content-Type' => 'text/html; charset=UTF-8'], $result);
        }
        if ($result === null) {
            return new Response(204);
        }
        if (is_array($result) && array_is_list($result) && isset($result[0]) && is_int($result[0])) {
            $headers = $result[1] ?? [];
            $body = $result[2] ?? '';
            if (is_array($headers) && (is_string($body) || is_iterable($body))) {
                return new Response($result[0], $headers, $body);
            }
        }

        throw new \UnexpectedValueException(sprintf(
            'the HTTP handler returned %s; return a %s, [status, headers, body] or a string',
            get_debug_type($result),
            Response::class,
        ));
    }

    private static function fail(HttpWorker $worker, \Throwable $e): void
    {
        fwrite(STDERR, sprintf("[php error] %s\n", $e));
        $worker->getWorker()->error(sprintf('%s: %s in %s:%d', get_class($e), $e->getMessage(), $e->getFile(), $e->getLine()));
    }
}
