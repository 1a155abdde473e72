<?php

declare(strict_types=1);

namespace RR\Worker;

use RR\Worker\Exception\StreamStoppedException;
use RR\Worker\Exception\WorkerException;
use RR\Worker\Goridge\AbstractStreamRelay;
use RR\Worker\Goridge\Frame;
use RR\Worker\Goridge\Relay;
use RR\Worker\Goridge\RelayInterface;

/**
 * The worker side of the RoadRunner worker protocol: handshake, payload loop, replies,
 * streaming, soft errors and restart requests.
 *
 * ```php
 * $worker = Worker::create();
 * while ($payload = $worker->waitPayload()) {
 *     $worker->respond(new Payload('echo: ' . $payload->body));
 * }
 * ```
 */
final class Worker implements WorkerInterface
{
    /** A PING goes out on the first stream chunk after this many chunks without one. */
    private const PING_EVERY = 5;

    /** Frames read while polling during a stream, to be handed out by waitPayload() later. */
    private array $queue = [];

    private bool $inStream = false;
    private int $chunksSincePing = 0;
    private bool $waitingForPong = false;
    private bool $streamStopped = false;

    /** A request was handed out and not answered yet. */
    private bool $holding = false;
    /** The server said stop, or this worker asked to be restarted: nothing more to tell it. */
    private bool $leaving = false;
    private bool $leaveRegistered = false;

    /** The relay again when it is one of ours: requests and responses then skip the Frame object. */
    private readonly ?AbstractStreamRelay $streamRelay;

    public function __construct(private readonly RelayInterface $relay, bool $interceptSideEffects = true)
    {
        $this->streamRelay = $relay instanceof AbstractStreamRelay ? $relay : null;
        if ($interceptSideEffects) {
            StdoutInterceptor::register();
        }
    }

    /**
     * Build a worker from the process environment (`RR_RELAY`, default `pipes`). With
     * `$interceptSideEffects` (the default) stray STDOUT output is sent to STDERR first of all.
     */
    public static function create(bool $interceptSideEffects = true, ?Environment $env = null): self
    {
        // Before anything else: even building the relay could emit a warning onto STDOUT.
        if ($interceptSideEffects) {
            StdoutInterceptor::register();
        }
        $env ??= Environment::fromGlobals();

        return new self(Relay::create($env->getRelayAddress()), $interceptSideEffects);
    }

    public function getRelay(): RelayInterface
    {
        return $this->relay;
    }

    public function waitPayload(): ?Payload
    {
        $parts = $this->waitParts();

        return $parts === null ? null : new Payload($parts[1], $parts[0], true, $parts[2]);
    }

    /**
     * waitPayload() without the Payload object, for HttpWorker's per-request path.
     *
     * @internal
     * @return array{0: string, 1: string, 2: int}|null `[context, body, frame flags]`, or null
     *     when the server stops the worker
     */
    public function waitParts(): ?array
    {
        while (true) {
            if ($this->queue !== []) {
                $frame = \array_shift($this->queue);
            } elseif ($this->streamRelay !== null) {
                $frame = $this->streamRelay->waitDataFrame();
                if (\is_array($frame)) {
                    if ($this->leaving) {
                        continue; // asked to be restarted: see below
                    }
                    $this->holding = true;
                    return $frame;
                }
            } else {
                $frame = $this->relay->waitFrame();
            }
            $flags = $frame->flags;

            if (($flags & Frame::CONTROL) !== 0) {
                $command = $this->decodeControl($frame);
                if (!empty($command['stop'])) {
                    $this->leaving = true;
                    return null;
                }
                if (!empty($command['pid'])) {
                    // "prefetch": rr may send the next request before this one is answered (pool.prefetch);
                    // requests are read strictly in turn, and leave() covers the one never read.
                    $this->relay->send(new Frame(json_encode(['pid' => getmypid(), 'prefetch' => true]), [], Frame::CONTROL));
                    if (!$this->leaveRegistered) {
                        $this->leaveRegistered = true;
                        register_shutdown_function(fn () => $this->leave());
                    }
                    continue;
                }
                throw new WorkerException(sprintf(
                    'Invalid task header, undefined control package: %s; the server sent a control command this library does not know',
                    $frame->payload,
                ));
            }
            if ($frame->hasStreamBit(Frame::STOP)) {
                // A stream cancellation that arrived after the stream ended: nothing left to stop.
                continue;
            }
            if ($frame->hasStreamBit(Frame::PONG)) {
                $this->waitingForPong = false;
                continue;
            }

            $headerLength = $frame->options[0] ?? 0;
            if ($headerLength > strlen($frame->payload)) {
                throw new WorkerException(sprintf(
                    'invalid payload frame from the server: context length %d exceeds the payload length %d',
                    $headerLength,
                    strlen($frame->payload),
                ));
            }

            if ($this->leaving) {
                // This worker asked to be restarted (stop()): a request rr had already sent (pool.prefetch)
                // is run by another worker, so it must not run here too. Wait for the stop command.
                continue;
            }
            $this->holding = true;
            return [substr($frame->payload, 0, $headerLength), substr($frame->payload, $headerLength), $flags];
        }
    }

    public function respond(Payload $payload, int $codec = 0): void
    {
        $this->respondParts($payload->header, $payload->body, $codec, $payload->eos);
    }

    /**
     * respond() without the Payload object, for HttpWorker's per-request path.
     *
     * @internal
     * @throws StreamStoppedException when the server cancelled the stream this chunk belongs to
     */
    public function respondParts(string $context, string $body, int $codec = 0, bool $endOfStream = true): void
    {
        $byte10 = 0;
        if (!$endOfStream) {
            if (!$this->inStream) {
                $this->inStream = true;
                $this->chunksSincePing = 0;
                $this->streamStopped = false;
            }
            if ($this->isStreamStopped()) {
                $this->endOfStream();
                throw new StreamStoppedException('the server stopped the response stream (the client went away)');
            }
            $byte10 = Frame::STREAM;
            if ($this->relay->isBlocking() && !$this->waitingForPong && ++$this->chunksSincePing >= self::PING_EVERY) {
                $byte10 |= Frame::PING;
                $this->waitingForPong = true;
                $this->chunksSincePing = 0;
            }
        }

        if ($this->streamRelay !== null) {
            $this->streamRelay->sendEncoded(Frame::encodeData($context, $body, $codec, $byte10));
        } else {
            $this->relay->send(new Frame($context . $body, [\strlen($context)], $codec, $byte10));
        }

        // Outside a stream the stream state is already reset (every way out of a stream resets it).
        if ($endOfStream) {
            $this->holding = false;
            if ($this->inStream) {
                $this->resetStream();
            }
        }
    }

    /**
     * Finish a stream with an empty final frame (no context, no body, STREAM bit clear).
     */
    public function endOfStream(): void
    {
        $this->relay->send(new Frame('', [0]));
        $this->holding = false;
        $this->resetStream();
    }

    /**
     * Whether the server has cancelled the stream in progress. Socket relays are polled on every
     * call; the pipes relay only while a PONG is awaited, as RoadRunner's library does.
     */
    public function isStreamStopped(): bool
    {
        if (!$this->inStream || $this->streamStopped) {
            return $this->streamStopped;
        }
        if (!$this->relay->isBlocking() || $this->waitingForPong) {
            while ($this->relay->hasFrame(0.0)) {
                $frame = $this->relay->waitFrame();
                if (!$frame->hasFlag(Frame::CONTROL) && $frame->hasStreamBit(Frame::STOP)) {
                    $this->streamStopped = true;
                } elseif (!$frame->hasFlag(Frame::CONTROL) && $frame->hasStreamBit(Frame::PONG)) {
                    $this->waitingForPong = false;
                } else {
                    $this->queue[] = $frame;
                }
                if (!$this->waitingForPong && $this->relay->isBlocking()) {
                    break;
                }
            }
        }

        return $this->streamStopped;
    }

    public function error(string $message): void
    {
        $this->relay->send(new Frame($message, [], Frame::ERROR));
        $this->holding = false;
        $this->resetStream();
    }

    public function stop(): void
    {
        $this->respond(new Payload('', json_encode(['stop' => true])));
        $this->leaving = true;
    }

    /**
     * At shutdown between requests (the script left its loop, or died outside a request): ask to be
     * restarted, so that a request rr already sent (pool.prefetch) and this process never read is run
     * by another worker instead of failing. Inside a request nothing is sent: rr fails that request.
     */
    private function leave(): void
    {
        if ($this->holding || $this->leaving) {
            return;
        }
        try {
            $this->stop();
        } catch (\Throwable) {
            // rr is gone already: nobody to tell.
        }
    }

    /**
     * @return array<array-key, mixed>
     */
    private function decodeControl(Frame $frame): array
    {
        try {
            $command = json_decode($frame->payload, true, 16, JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw new WorkerException(sprintf('invalid control frame from the server: the payload is not JSON (%s)', $e->getMessage()), 0, $e);
        }
        if (!is_array($command)) {
            throw new WorkerException(sprintf('invalid control frame from the server: expected a JSON object, got %s', $frame->payload));
        }

        return $command;
    }

    private function resetStream(): void
    {
        $this->inStream = false;
        $this->chunksSincePing = 0;
        $this->streamStopped = false;
    }
}
