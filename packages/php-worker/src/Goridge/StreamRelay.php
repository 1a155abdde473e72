<?php

declare(strict_types=1);

namespace RR\Worker\Goridge;

/**
 * Relay over two already-open streams; with STDIN/STDOUT this is RoadRunner's `pipes` relay.
 */
final class StreamRelay extends AbstractStreamRelay
{
    /** @var resource */
    private $in;

    /** @var resource */
    private $out;

    /**
     * @param resource $in
     * @param resource $out
     */
    public function __construct($in, $out, private readonly string $address = 'pipes')
    {
        if (!is_resource($in) || !is_resource($out)) {
            throw new \InvalidArgumentException('StreamRelay needs two open stream resources');
        }
        $this->in = $in;
        $this->out = $out;
        // Frames are binary; make sure no platform newline translation or write buffering applies.
        @stream_set_write_buffer($out, 0);
    }

    public function isBlocking(): bool
    {
        return true;
    }

    public function close(): void
    {
        // STDIN/STDOUT belong to the process; closing them is left to PHP's shutdown.
    }

    public function __toString(): string
    {
        return $this->address;
    }

    protected function input()
    {
        return $this->in;
    }

    protected function output()
    {
        return $this->out;
    }
}
