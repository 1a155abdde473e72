<?php

declare(strict_types=1);

namespace RR\Worker\Jobs;

use RR\Worker\Payload;
use RR\Worker\Worker;

/**
 * One job handed to this worker. Answer it exactly once with ack(), nack(), requeue() (or the
 * legacy complete()/fail()); later answers are ignored, as in spiral/roadrunner-jobs.
 */
final class ReceivedTask
{
    public const NO_ERROR = 0;
    public const ERROR = 1;
    public const ACK = 2;
    public const NACK = 3;
    public const REQUEUE = 4;

    /** @var array<string, list<string>> */
    private array $headers;
    private int $delay = 0;
    private bool $headersChanged = false;
    private bool $completed = false;

    /** @param array<string, mixed> $context */
    public function __construct(private readonly Worker $worker, private readonly string $payload, private readonly array $context)
    {
        $headers = [];
        foreach ((array) ($context['headers'] ?? []) as $k => $v) {
            $headers[(string) $k] = array_values(array_map('strval', (array) $v));
        }
        $this->headers = $headers;
    }

    public function getId(): string
    {
        return (string) ($this->context['id'] ?? '');
    }

    /** The job name (usually a class name). */
    public function getName(): string
    {
        return (string) ($this->context['job'] ?? '');
    }

    public function getPayload(): string
    {
        return $this->payload;
    }

    public function getPipeline(): string
    {
        return (string) ($this->context['pipeline'] ?? 'unknown');
    }

    public function getQueue(): string
    {
        return (string) ($this->context['queue'] ?? 'unknown');
    }

    public function getDriver(): string
    {
        return (string) ($this->context['driver'] ?? 'unknown');
    }

    /** @return array<string, mixed> the whole context rr sent (driver-specific keys included) */
    public function getContext(): array
    {
        return $this->context;
    }

    /** @return array<string, list<string>> */
    public function getHeaders(): array
    {
        return $this->headers;
    }

    public function hasHeader(string $name): bool
    {
        return isset($this->headers[$name]) && $this->headers[$name] !== [];
    }

    /** @return list<string> */
    public function getHeader(string $name): array
    {
        return $this->headers[$name] ?? [];
    }

    public function getHeaderLine(string $name): string
    {
        return implode(',', $this->getHeader($name));
    }

    /** Headers sent with a requeue (or a fail with requeue). @param string|list<string> $value */
    public function withHeader(string $name, string|array $value): self
    {
        $copy = clone $this;
        $copy->headers[$name] = is_array($value) ? array_values(array_map('strval', $value)) : [$value];
        $copy->headersChanged = true;

        return $copy;
    }

    public function withoutHeader(string $name): self
    {
        $copy = clone $this;
        unset($copy->headers[$name]);
        $copy->headersChanged = true;

        return $copy;
    }

    /** Delay in seconds for a requeue or a nack with redelivery. */
    public function withDelay(int $seconds): self
    {
        $copy = clone $this;
        $copy->delay = $seconds;

        return $copy;
    }

    public function getDelay(): int
    {
        return $this->delay;
    }

    public function isCompleted(): bool
    {
        return $this->completed;
    }

    public function ack(): void
    {
        $this->reply(self::ACK, []);
    }

    /** The job failed; with `$redelivery` the driver redelivers it (after withDelay's seconds). */
    public function nack(string|\Stringable|\Throwable $message, bool $redelivery = false): void
    {
        $this->reply(self::NACK, ['message' => self::text($message), 'requeue' => $redelivery, 'delay_seconds' => $this->delay]);
    }

    /** Puts a copy back in the pipeline (with this task's headers and delay) and settles this one. */
    public function requeue(string|\Stringable|\Throwable $message): void
    {
        $data = ['message' => self::text($message), 'delay_seconds' => $this->delay];
        if ($this->headersChanged) {
            $data['headers'] = $this->headers;
        }
        $this->reply(self::REQUEUE, $data);
    }

    /** Legacy reply (type 0): same as ack(). */
    public function complete(): void
    {
        $this->reply(self::NO_ERROR, []);
    }

    /** Legacy error reply (type 1): logged by rr; requeued when `$requeue`, otherwise dropped. */
    public function fail(string|\Stringable|\Throwable $error, bool $requeue = false): void
    {
        $data = ['message' => self::text($error), 'requeue' => $requeue, 'delay_seconds' => $this->delay];
        if ($this->headersChanged) {
            $data['headers'] = $this->headers;
        }
        $this->reply(self::ERROR, $data);
    }

    /** @param array<string, mixed> $data */
    private function reply(int $type, array $data): void
    {
        if ($this->completed) {
            return;
        }
        $this->completed = true;
        $this->worker->respond(new Payload(json_encode(['type' => $type, 'data' => $data], JSON_THROW_ON_ERROR)));
    }

    private static function text(string|\Stringable|\Throwable $m): string
    {
        return $m instanceof \Throwable ? $m->getMessage() : (string) $m;
    }
}
