<?php

declare(strict_types=1);

namespace RR\Worker\Jobs;

/**
 * Push options of one job: priority (lower runs first; 0 inherits the pipeline's), delay in
 * seconds, auto-ack (acked on receipt, before a worker runs it) and headers. Immutable.
 */
final class Options
{
    /** @param array<string, list<string>> $headers */
    public function __construct(
        public readonly int $priority = 0,
        public readonly int $delay = 0,
        public readonly bool $autoAck = false,
        public readonly array $headers = [],
    ) {
    }

    public function withPriority(int $priority): self
    {
        return new self($priority, $this->delay, $this->autoAck, $this->headers);
    }

    public function withDelay(int $seconds): self
    {
        return new self($this->priority, $seconds, $this->autoAck, $this->headers);
    }

    public function withAutoAck(bool $autoAck = true): self
    {
        return new self($this->priority, $this->delay, $autoAck, $this->headers);
    }

    /** @param string|list<string> $value */
    public function withHeader(string $name, string|array $value): self
    {
        $headers = $this->headers;
        $headers[$name] = is_array($value) ? array_values(array_map('strval', $value)) : [$value];

        return new self($this->priority, $this->delay, $this->autoAck, $headers);
    }
}
