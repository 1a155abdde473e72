<?php

declare(strict_types=1);

namespace RR\Worker\Http;

/**
 * An HTTP request as the server describes it, without any PSR-7 dependency.
 *
 * `uri` is absolute (`http://host/path?query`). `body` holds the raw bytes, or, when `parsed` is
 * true, the JSON text of the form tree built by the server (see getParsedBody()).
 */
final class Request
{
    public const PARSED_BODY_ATTRIBUTE_NAME = 'rr_parsed_body';

    /**
     * @param array<string, list<string>> $headers header name (server spelling) => values
     * @param array<string, string> $cookies
     * @param array<array-key, mixed> $query rawQuery decoded with parse_str()
     * @param array<array-key, mixed> $uploads tree of file arrays {name, mime, size, error, tmpName}
     * @param array<string, mixed> $attributes always holds `rr_parsed_body`
     */
    public function __construct(
        public readonly string $remoteAddr = '127.0.0.1',
        public readonly string $protocol = 'HTTP/1.1',
        public readonly string $method = 'GET',
        public readonly string $uri = 'http://localhost/',
        public readonly array $headers = [],
        public readonly array $cookies = [],
        public readonly array $query = [],
        public readonly string $rawQuery = '',
        public readonly string $body = '',
        public readonly bool $parsed = false,
        public readonly array $uploads = [],
        public readonly array $attributes = [],
    ) {
    }

    /**
     * The client address; a proxy middleware's `ipAddress` attribute wins over `remoteAddr`.
     */
    public function getRemoteAddr(): string
    {
        $ip = $this->attributes['ipAddress'] ?? null;

        return is_string($ip) && $ip !== '' ? $ip : $this->remoteAddr;
    }

    /**
     * The form fields of an urlencoded or multipart body, or null when the body was not parsed.
     *
     * @return array<array-key, mixed>|null
     * @throws \JsonException when the server sent a malformed form tree
     */
    public function getParsedBody(): ?array
    {
        if (!$this->parsed) {
            return null;
        }
        if ($this->body === '') {
            return [];
        }
        $tree = json_decode($this->body, true, 512, JSON_THROW_ON_ERROR);

        return is_array($tree) ? $tree : [];
    }

    /**
     * @return list<string>
     */
    public function getHeader(string $name): array
    {
        foreach ($this->headers as $key => $values) {
            if (strcasecmp((string) $key, $name) === 0) {
                return $values;
            }
        }

        return [];
    }

    public function getHeaderLine(string $name): string
    {
        return implode(', ', $this->getHeader($name));
    }

    public function hasHeader(string $name): bool
    {
        return $this->getHeader($name) !== [];
    }

    public function getPath(): string
    {
        $path = parse_url($this->uri, PHP_URL_PATH);

        return is_string($path) && $path !== '' ? $path : '/';
    }

    /**
     * `1.0`, `1.1` or `2` (anything else maps to `1.1`), as PSR-7 wants it.
     */
    public function getProtocolVersion(): string
    {
        $version = substr($this->protocol, 5);
        if ($version === '2.0' || $version === '2') {
            return '2';
        }

        return in_array($version, ['1.0', '1.1'], true) ? $version : '1.1';
    }
}
