<?php

declare(strict_types=1);

namespace RR\Worker\Http;

use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestFactoryInterface;
use Psr\Http\Message\ServerRequestInterface;
use Psr\Http\Message\StreamFactoryInterface;
use Psr\Http\Message\UploadedFileFactoryInterface;
use Psr\Http\Message\UploadedFileInterface;
use RR\Worker\WorkerInterface;

/**
 * PSR-7 requests and responses over HttpWorker, built with the PSR-17 factories you pass in
 * (e.g. Nyholm's Psr17Factory for all three). This is the only class that needs psr/http-message
 * and psr/http-factory.
 *
 * ```php
 * $factory = new \Nyholm\Psr7\Factory\Psr17Factory();
 * $psr7 = new PSR7Worker(Worker::create(), $factory, $factory, $factory);
 * while ($request = $psr7->waitRequest()) {
 *     $psr7->respond($factory->createResponse(200)->withBody($factory->createStream('Hello')));
 * }
 * ```
 */
final class PSR7Worker
{
    /** When > 0, response bodies are streamed to the server in chunks of this many bytes. */
    public int $chunkSize = 0;

    private readonly HttpWorker $httpWorker;

    /** @var array<string, mixed> the process's $_SERVER, the base of each request's server params */
    private readonly array $originalServer;

    public function __construct(
        WorkerInterface $worker,
        private readonly ServerRequestFactoryInterface $requestFactory,
        private readonly StreamFactoryInterface $streamFactory,
        private readonly UploadedFileFactoryInterface $uploadsFactory,
    ) {
        $this->httpWorker = new HttpWorker($worker);
        $this->originalServer = $_SERVER;
    }

    public function getWorker(): WorkerInterface
    {
        return $this->httpWorker->getWorker();
    }

    public function getHttpWorker(): HttpWorker
    {
        return $this->httpWorker;
    }

    /**
     * The next request, or null when the server stops the worker.
     */
    public function waitRequest(): ?ServerRequestInterface
    {
        $request = $this->httpWorker->waitRequest();

        return $request === null ? null : $this->toServerRequest($request);
    }

    public function respond(ResponseInterface $response): void
    {
        $this->httpWorker->respond($response->getStatusCode(), $this->body($response), $response->getHeaders());
    }

    public function toServerRequest(Request $request): ServerRequestInterface
    {
        $server = $this->serverParams($request);
        $psr = $this->requestFactory->createServerRequest($request->method, $request->uri, $server)
            ->withProtocolVersion($request->getProtocolVersion())
            ->withCookieParams($request->cookies)
            ->withQueryParams($request->query)
            ->withUploadedFiles($this->uploads($request->uploads));

        foreach ($request->attributes as $name => $value) {
            $psr = $psr->withAttribute((string) $name, $value);
        }
        foreach ($request->headers as $name => $values) {
            $psr = $psr->withHeader($name, $values);
        }
        if ($request->parsed) {
            $psr = $psr->withParsedBody($request->getParsedBody());
        }
        if ($request->body !== '') {
            $psr = $psr->withBody($this->streamFactory->createStream($request->body));
        }

        return $psr;
    }

    /**
     * @return array<string, mixed>
     */
    private function serverParams(Request $request): array
    {
        $server = $this->originalServer;
        $now = microtime(true);
        $server['REQUEST_URI'] = $request->uri;
        $server['REQUEST_TIME'] = (int) $now;
        $server['REQUEST_TIME_FLOAT'] = $now;
        $server['REMOTE_ADDR'] = $request->getRemoteAddr();
        $server['REQUEST_METHOD'] = $request->method;
        $server['SERVER_PROTOCOL'] = $request->protocol;
        $server['QUERY_STRING'] = $request->rawQuery;
        $server['HTTP_USER_AGENT'] = '';
        foreach ($request->headers as $name => $values) {
            $key = strtoupper(str_replace('-', '_', $name));
            if ($key !== 'CONTENT_TYPE' && $key !== 'CONTENT_LENGTH') {
                $key = 'HTTP_' . $key;
            }
            $server[$key] = implode(', ', $values);
        }

        return $server;
    }

    /**
     * @param array<array-key, mixed> $tree
     * @return array<array-key, mixed>
     */
    private function uploads(array $tree): array
    {
        $result = [];
        foreach ($tree as $key => $node) {
            if (!is_array($node)) {
                continue;
            }
            $result[$key] = array_key_exists('name', $node) && !is_array($node['name'])
                ? $this->uploadedFile($node)
                : $this->uploads($node);
        }

        return $result;
    }

    /**
     * @param array<string, mixed> $file
     */
    private function uploadedFile(array $file): UploadedFileInterface
    {
        $error = (int) ($file['error'] ?? UPLOAD_ERR_NO_FILE);
        $tmpName = (string) ($file['tmpName'] ?? '');
        $stream = $error === UPLOAD_ERR_OK && $tmpName !== ''
            ? $this->streamFactory->createStreamFromFile($tmpName, 'rb')
            : $this->streamFactory->createStream('');

        return $this->uploadsFactory->createUploadedFile(
            $stream,
            (int) ($file['size'] ?? 0),
            $error,
            (string) ($file['name'] ?? ''),
            (string) ($file['mime'] ?? ''),
        );
    }

    /**
     * @return string|\Generator<int, string>
     */
    private function body(ResponseInterface $response): string|\Generator
    {
        $stream = $response->getBody();
        if ($this->chunkSize <= 0) {
            return (string) $stream;
        }

        return (function () use ($stream): \Generator {
            if ($stream->isSeekable()) {
                $stream->rewind();
            }
            while (!$stream->eof()) {
                $chunk = $stream->read($this->chunkSize);
                if ($chunk === '') {
                    break;
                }
                yield $chunk;
            }
        })();
    }
}
