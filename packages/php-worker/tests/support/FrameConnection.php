<?php

declare(strict_types=1);

use RR\Worker\Goridge\Frame;

/**
 * The server's end of a relay in tests: writes frames, and reads frames with a deadline so that
 * no test can hang. Reads are non-blocking into a local buffer.
 */
final class FrameConnection
{
    private string $buffer = '';
    private bool $eof = false;

    /**
     * @param resource $in what the peer writes (worker STDOUT, or the socket)
     * @param resource $out what the peer reads (worker STDIN, or the socket)
     */
    public function __construct(private $in, private $out)
    {
        stream_set_blocking($this->in, false);
    }

    public function send(Frame $frame): void
    {
        $this->write($frame->encode());
    }

    public function write(string $bytes): void
    {
        stream_set_blocking($this->out, true);
        $offset = 0;
        while ($offset < strlen($bytes)) {
            $n = @fwrite($this->out, substr($bytes, $offset));
            if ($n === false || $n === 0) {
                fail('could not write to the worker relay (did the worker exit?)');
            }
            $offset += $n;
        }
        fflush($this->out);
        if ($this->out === $this->in) {
            stream_set_blocking($this->in, false);
        }
    }

    /** Send a data frame the way the server sends requests: one option, context ‖ body. */
    public function request(string $context, string $body, int $flags = Frame::CODEC_JSON): void
    {
        $this->send(new Frame($context . $body, [strlen($context)], $flags));
    }

    public function sendPid(int $pid = 4242): void
    {
        $this->send(new Frame(json_encode(['pid' => $pid]), [], Frame::CONTROL | Frame::CODEC_JSON));
    }

    public function sendStop(): void
    {
        $this->send(new Frame('{"stop":true}', [], Frame::CONTROL | Frame::CODEC_JSON));
    }

    /** The next frame, or null when the peer closed the connection cleanly between frames. */
    public function readOrEof(float $timeout = 5.0): ?Frame
    {
        $deadline = microtime(true) + $timeout;
        while ($this->buffer === '' && !$this->eof) {
            $this->fill($deadline, 'a frame or the end of the connection');
        }

        return $this->buffer === '' ? null : $this->read(max(0.0, $deadline - microtime(true)));
    }

    public function read(float $timeout = 5.0): Frame
    {
        $deadline = microtime(true) + $timeout;
        while (true) {
            if (strlen($this->buffer) >= Frame::HEADER_SIZE) {
                $h = Frame::decodeHeader(substr($this->buffer, 0, Frame::HEADER_SIZE));
                $total = Frame::HEADER_SIZE + 4 * $h['optionCount'] + $h['length'];
                if (strlen($this->buffer) >= $total) {
                    $frame = Frame::decode(substr($this->buffer, 0, $total));
                    $this->buffer = (string) substr($this->buffer, $total);

                    return $frame;
                }
            }
            if ($this->eof) {
                fail('the worker closed its relay; unread bytes: ' . export($this->buffer));
            }
            $this->fill($deadline, 'a frame');
        }
    }

    /** Split a data frame the way the server does. @return array{0: string, 1: string} */
    public static function split(Frame $frame): array
    {
        assertSame(1, count($frame->options), 'data frame option count');
        $n = $frame->options[0];

        return [substr($frame->payload, 0, $n), (string) substr($frame->payload, $n)];
    }

    /** Everything the peer writes until it closes the relay. */
    public function readToEof(float $timeout = 5.0): string
    {
        $deadline = microtime(true) + $timeout;
        while (!$this->eof) {
            $this->fill($deadline, 'the end of the relay');
        }
        $rest = $this->buffer;
        $this->buffer = '';

        return $rest;
    }

    private function fill(float $deadline, string $what): void
    {
        $remaining = $deadline - microtime(true);
        if ($remaining <= 0) {
            fail("timed out waiting for $what from the worker");
        }
        $read = [$this->in];
        $write = null;
        $except = null;
        $ready = stream_select($read, $write, $except, (int) $remaining, (int) (fmod($remaining, 1.0) * 1_000_000));
        if ($ready === 0) {
            return;
        }
        $chunk = fread($this->in, 1 << 20);
        if ($chunk === false || ($chunk === '' && feof($this->in))) {
            $this->eof = true;

            return;
        }
        $this->buffer .= $chunk;
    }
}
