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
    private const JSON_FLAGS = JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE;

    private const PARSED_TRUE = [Request::PARSED_BODY_ATTRIBUTE_NAME => true];
    private const PARSED_FALSE = [Request::PARSED_BODY_ATTRIBUTE_NAME => false];

    /** Codec of the request being served; replies use the same one. */
    private int $codec = Frame::CODEC_JSON;

    /**
     * The last response context encoded, and what it was encoded from: a route tends to answer
     * with the same status and headers every time, and comparing the headers array costs less
     * than checking and encoding it again (an identical literal array compares in O(1)). Only
     * headers already in the wire shape (string names, lists of strings) are remembered.
     *
     * @var array<string, list<string>>|null
     */
    private ?array $lastHeaders = null;
    private int $lastStatus = 0;
    private int $lastCodec = 0;
    private string $lastContext = '';

    /** The worker again when it is this library's: requests and responses then skip Payload objects. */
    private readonly ?Worker $parts;

    public function __construct(private readonly WorkerInterface $worker)
    {
        $this->parts = $worker instanceof Worker ? $worker : null;
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
            if ($this->parts !== null) {
                $parts = $this->parts->waitParts();
                if ($parts === null) {
                    return null;
                }
                [$context, $body, $flags] = $parts;
            } else {
                $payload = $this->worker->waitPayload();
                if ($payload === null) {
                    return null;
                }
                [$context, $body, $flags] = [$payload->header, $payload->body, $payload->flags];
            }
            // The server never sends an empty payload; RoadRunner's library treats one as "stop".
            if ($context === '' && $body === '') {
                return null;
            }

            try {
                if (($flags & Frame::CODEC_PROTO) === 0) {
                    $this->codec = Frame::CODEC_JSON;
                    $fields = \json_decode($context, true, 512, JSON_THROW_ON_ERROR);
                    if (!\is_array($fields)) {
                        throw new \UnexpectedValueException('the context is not a JSON object');
                    }

                    return self::buildRequest($fields, $body);
                }
                $this->codec = Frame::CODEC_PROTO;
                $fields = ProtoCodec::decodeRequest($context);
                // Proto-era servers send an empty body for an empty form tree.
                if ($fields['parsed'] && $body === '') {
                    $body = '{}';
                }

                return self::buildRequest($fields, $body);
            } catch (\Throwable $e) {
                $this->worker->error(sprintf(
                    'rr php-worker: cannot decode the HTTP request context (%s frame, %d bytes): %s',
                    ($flags & Frame::CODEC_PROTO) !== 0 ? 'protobuf' : 'JSON',
                    strlen($context),
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
        if (!\is_string($body)) {
            $this->stream($body instanceof \Generator ? $body : self::generate($body), $context, $endOfStream);
        } elseif ($this->parts !== null) {
            $this->parts->respondParts($context, $body, $this->codec, $endOfStream);
        } else {
            $this->worker->respond(new Payload($body, $context, $endOfStream), $this->codec);
        }
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

    /**
     * Fields the server sends in their expected types are taken as they are; anything else goes
     * through str()/headers()/stringMap(), which coerce or drop it.
     *
     * @param array<string, mixed> $context
     */
    private static function buildRequest(array $context, string $body): Request
    {
        $rawQuery = \is_string($v = $context['rawQuery'] ?? '') ? $v : self::str($v);
        $query = [];
        if ($rawQuery !== '') {
            \parse_str($rawQuery, $query);
        }
        $parsed = (bool) ($context['parsed'] ?? false);
        // Constant arrays are shared, not built per request.
        $attributes = $parsed ? self::PARSED_TRUE : self::PARSED_FALSE;
        if (\is_array($v = $context['attributes'] ?? null)) {
            $attributes += $v;
        }

        return new Request(
            \is_string($v = $context['remoteAddr'] ?? '') ? $v : self::str($v),
            \is_string($v = $context['protocol'] ?? 'HTTP/1.1') ? $v : self::str($v),
            \is_string($v = $context['method'] ?? 'GET') ? $v : self::str($v),
            \is_string($v = $context['uri'] ?? '') ? $v : self::str($v),
            ($v = $context['headers'] ?? []) === [] ? [] : self::headers($v),
            ($v = $context['cookies'] ?? []) === [] ? [] : self::stringMap($v),
            $query,
            $rawQuery,
            $body,
            $parsed,
            \is_array($v = $context['uploads'] ?? null) ? $v : [],
            $attributes,
        );
    }

    /**
     * @param array<string, string|int|list<string|int>> $headers
     */
    private function encodeContext(int $status, array $headers): string
    {
        if ($status === $this->lastStatus && $this->codec === $this->lastCodec && $headers === $this->lastHeaders) {
            return $this->lastContext;
        }
        $wireShaped = self::isWireShaped($headers);
        $normalised = $wireShaped ? $headers : self::normaliseHeaders($headers);

        if ($this->codec === Frame::CODEC_PROTO) {
            $context = ProtoCodec::encodeResponse($status, $normalised);
        } elseif (!$wireShaped) {
            $context = \json_encode(['status' => $status, 'headers' => (object) $normalised], self::JSON_FLAGS);
        } elseif ($headers === []) {
            $context = '{"status":' . $status . ',"headers":{}}';
        } else {
            // The same bytes as the json_encode() above: string keys (PHP keeps numeric names as
            // int keys, which are not wire-shaped) make the array encode as an object.
            $context = '{"status":' . $status . ',"headers":' . \json_encode($headers, self::JSON_FLAGS) . '}';
        }
        if ($wireShaped) {
            $this->lastHeaders = $headers;
            $this->lastStatus = $status;
            $this->lastCodec = $this->codec;
            $this->lastContext = $context;
        }

        return $context;
    }

    /**
     * Whether the headers are already `array<non-empty-string, non-empty-list<string>>`, the
     * shape normaliseHeaders() produces, so they can be encoded as they are.
     */
    private static function isWireShaped(array $headers): bool
    {
        foreach ($headers as $name => $values) {
            if (!\is_string($name) || $name === '' || !\is_array($values) || $values === [] || !\array_is_list($values)) {
                return false;
            }
            foreach ($values as $value) {
                if (!\is_string($value)) {
                    return false;
                }
            }
        }

        return true;
    }

    /**
     * @param array<array-key, mixed> $headers
     * @return array<string, list<string>>
     */
    private static function normaliseHeaders(array $headers): array
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

        return $normalised;
    }

    /**
     * @return array<string, list<string>>
     */
    private static function headers(mixed $raw): array
    {
        if (!\is_array($raw)) {
            return [];
        }
        // What the server sends (string names, lists of strings) is kept as it is.
        foreach ($raw as $name => $values) {
            if (!\is_string($name) || $name === '' || !\is_array($values) || !\array_is_list($values)) {
                return self::coerceHeaders($raw);
            }
            foreach ($values as $value) {
                if (!\is_string($value)) {
                    return self::coerceHeaders($raw);
                }
            }
        }

        return $raw;
    }

    /**
     * @param array<array-key, mixed> $raw
     * @return array<string, list<string>>
     */
    private static function coerceHeaders(array $raw): array
    {
        $headers = [];
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
        if (!\is_array($raw)) {
            return [];
        }
        foreach ($raw as $value) {
            if (!\is_string($value)) {
                $map = [];
                foreach ($raw as $key => $item) {
                    $map[(string) $key] = self::str($item);
                }

                return $map;
            }
        }

        return $raw;
    }

    private static function str(mixed $value): string
    {
        return is_scalar($value) ? (string) $value : '';
    }
}
