<?php

declare(strict_types=1);

namespace RR\Worker\Http;

use RR\Worker\Exception\StreamStoppedException;
use RR\Worker\Goridge\Frame;
use RR\Worker\Payload;
use RR\Worker\Worker;
use RR\Worker\WorkerInterface;

/**
 * HTTP on top of the worker protocol: decodes request contexts (JSON, or protobuf when the
 * frame carries CODEC_PROTO) into Request objects and encodes responses in the same format.
 *
 * ```php
 * $http = HttpWorker::create();
 * while ($request = $http->waitRequest()) {
 *     $http->respond(200, 'Hello', ['Content-Type' => ['text/plain']]);
 * }
 * ```
 */
final class HttpWorker
{
    /** Codec of the request being served; replies use the same one. */
    private int $codec = Frame::CODEC_JSON;

    public function __construct(private readonly WorkerInterface $worker)
    {
    }

    public static function create(): self
    {
        return new self(Worker::create());
    }

    public function getWorker(): WorkerInterface
    {
        return $this->worker;
    }

    /**
     * The next request, or null when the server stops the worker. A request context that cannot
     * be decoded is answered with a soft error (HTTP 500) and the loop goes on.
     */
    public function waitRequest(): ?Request
    {
        while (true) {
            $payload = $this->worker->waitPayload();
            // The server never sends an empty payload; RoadRunner's library treats one as "stop".
            if ($payload === null || ($payload->header === '' && $payload->body === '')) {
                return null;
            }

            try {
                return $this->decode($payload);
            } catch (\Throwable $e) {
                $this->worker->error(sprintf(
                    'rr php-worker: cannot decode the HTTP request context (%s frame, %d bytes): %s',
                    ($payload->flags & Frame::CODEC_PROTO) !== 0 ? 'protobuf' : 'JSON',
                    strlen($payload->header),
                    $e->getMessage(),
                ));
            }
        }
    }

    /**
     * Send a response. A string body goes out in one frame. An iterable body (e.g. a Generator)
     * is streamed: one frame per non-empty chunk, then a final frame with the generator's return
     * value. With `$endOfStream = false` the last frame keeps the STREAM bit (used for 1xx
     * responses such as 103 Early Hints, followed by the real response).
     *
     * @param string|iterable<string> $body
     * @param array<string, string|int|list<string|int>> $headers
     */
    public function respond(int $status, string|iterable $body = '', array $headers = [], bool $endOfStream = true): void
    {
        if ($status >= 100 && $status < 200 && $body !== '') {
            throw new \InvalidArgumentException("a $status (1xx) response cannot carry a body");
        }
        $context = $this->encodeContext($status, $headers);
        if (is_string($body)) {
            $this->worker->respond(new Payload($body, $context, $endOfStream), $this->codec);

            return;
        }
        $this->stream($body instanceof \Generator ? $body : self::generate($body), $context, $endOfStream);
    }

    /**
     * @param \Generator<mixed, string, mixed, string|null|void> $body
     */
    private function stream(\Generator $body, string $context, bool $endOfStream): void
    {
        // Only the first frame carries status and headers; the server ignores later contexts.
        $pending = $context;
        while ($body->valid()) {
            $chunk = (string) $body->current();
            if ($chunk !== '' || $pending !== '') {
                try {
                    $this->worker->respond(new Payload($chunk, $pending, false), $this->codec);
                } catch (StreamStoppedException $e) {
                    try {
                        $body->throw($e);
                    } catch (StreamStoppedException) {
                        // The generator chose not to handle it; the stream is over either way.
                    }

                    return;
                }
                $pending = '';
            }
            $body->next();
        }

        $final = (string) $body->getReturn();
        if ($endOfStream) {
            $this->worker->respond(new Payload($final, $pending, true), $this->codec);
        } elseif ($final !== '' || $pending !== '') {
            $this->worker->respond(new Payload($final, $pending, false), $this->codec);
        }
    }

    /**
     * @param iterable<string> $body
     */
    private static function generate(iterable $body): \Generator
    {
        yield from $body;
    }

    private function decode(Payload $payload): Request
    {
        if (($payload->flags & Frame::CODEC_PROTO) !== 0) {
            $this->codec = Frame::CODEC_PROTO;
            $context = ProtoCodec::decodeRequest($payload->header);
            $body = $payload->body;
            // Proto-era servers send an empty body for an empty form tree.
            if ($context['parsed'] && $body === '') {
                $body = '{}';
            }

            return self::buildRequest($context, $body);
        }

        $this->codec = Frame::CODEC_JSON;
        $context = json_decode($payload->header, true, 512, JSON_THROW_ON_ERROR);
        if (!is_array($context)) {
            throw new \UnexpectedValueException('the context is not a JSON object');
        }

        return self::buildRequest($context, $payload->body);
    }

    /**
     * @param array<string, mixed> $context
     */
    private static function buildRequest(array $context, string $body): Request
    {
        $rawQuery = self::str($context['rawQuery'] ?? '');
        $query = [];
        parse_str($rawQuery, $query);
        $parsed = (bool) ($context['parsed'] ?? false);
        $attributes = is_array($context['attributes'] ?? null) ? $context['attributes'] : [];

        return new Request(
            remoteAddr: self::str($context['remoteAddr'] ?? ''),
            protocol: self::str($context['protocol'] ?? 'HTTP/1.1'),
            method: self::str($context['method'] ?? 'GET'),
            uri: self::str($context['uri'] ?? ''),
            headers: self::headers($context['headers'] ?? []),
            cookies: self::stringMap($context['cookies'] ?? []),
            query: $query,
            rawQuery: $rawQuery,
            body: $body,
            parsed: $parsed,
            uploads: is_array($context['uploads'] ?? null) ? $context['uploads'] : [],
            attributes: [Request::PARSED_BODY_ATTRIBUTE_NAME => $parsed] + $attributes,
        );
    }

    /**
     * @param array<string, string|int|list<string|int>> $headers
     */
    private function encodeContext(int $status, array $headers): string
    {
        $normalised = [];
        foreach ($headers as $name => $values) {
            $name = (string) $name;
            $list = [];
            foreach (is_array($values) ? $values : [$values] as $value) {
                if (is_scalar($value) || $value instanceof \Stringable) {
                    $list[] = (string) $value;
                }
            }
            if ($name !== '' && $list !== []) {
                $normalised[$name] = $list;
            }
        }

        if ($this->codec === Frame::CODEC_PROTO) {
            return ProtoCodec::encodeResponse($status, $normalised);
        }

        return json_encode(
            ['status' => $status, 'headers' => (object) $normalised],
            JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE,
        );
    }

    /**
     * @return array<string, list<string>>
     */
    private static function headers(mixed $raw): array
    {
        $headers = [];
        if (!is_array($raw)) {
            return $headers;
        }
        foreach ($raw as $name => $values) {
            // json_decode turns a numeric name into an int key; such names are not valid here.
            if (!is_string($name) || $name === '') {
                continue;
            }
            $headers[$name] = array_values(array_map(self::str(...), is_array($values) ? $values : [$values]));
        }

        return $headers;
    }

    /**
     * @return array<string, string>
     */
    private static function stringMap(mixed $raw): array
    {
        $map = [];
        if (is_array($raw)) {
            foreach ($raw as $key => $value) {
                $map[(string) $key] = self::str($value);
            }
        }

        return $map;
    }

    private static function str(mixed $value): string
    {
        return is_scalar($value) ? (string) $value : '';
    }
}
