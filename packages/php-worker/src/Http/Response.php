<?php

declare(strict_types=1);

namespace RR\Worker\Http;

/**
 * A response for Server::serve() handlers. `body` may be an iterable (e.g. a Generator) of
 * string chunks, which is streamed to the client chunk by chunk.
 */
final class Response
{
    /**
     * @param array<string, string|list<string>> $headers
     * @param string|iterable<string> $body
     */
    public function __construct(
        public readonly int $status = 200,
        public readonly array $headers = [],
        public readonly string|iterable $body = '',
    ) {
    }

    public static function text(string $body, int $status = 200, array $headers = []): self
    {
        return new self($status, $headers + ['Content-Type' => 'text/plain; charset=utf-8'], $body);
    }

    public static function json(mixed $data, int $status = 200, array $headers = []): self
    {
        $body = json_encode($data, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);

        return new self($status, $headers + ['Content-Type' => 'application/json'], $body);
    }
}
