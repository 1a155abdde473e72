<?php

declare(strict_types=1);

namespace RR\Worker\Goridge;

/**
 * Frame reading and writing over PHP streams, shared by the pipes and socket relays.
 *
 * Reads ask for exactly the bytes the frame still needs, so nothing past the current frame is
 * consumed; `stream_select()` accounts for PHP's own read buffer, so polling stays accurate.
 */
abstract class AbstractStreamRelay implements RelayInterface
{
    /** @return resource */
    abstract protected function input();

    /** @return resource */
    abstract protected function output();

    public function waitFrame(): Frame
    {
        $header = Frame::decodeHeader($this->readExact(Frame::HEADER_SIZE, 'frame header'));
        $options = $header['optionCount'] > 0
            ? Frame::decodeOptions($this->readExact($header['optionCount'] * 4, 'frame options'))
            : [];
        $payload = $header['length'] > 0 ? $this->readExact($header['length'], 'frame payload') : '';

        return new Frame($payload, $options, $header['flags'], $header['byte10']);
    }

    public function send(Frame $frame): void
    {
        $this->writeAll($frame->encode());
    }

    public function hasFrame(float $timeout = 0.0): bool
    {
        $read = [$this->input()];
        $write = null;
        $except = null;
        $seconds = (int) floor($timeout);
        $micro = (int) round(($timeout - $seconds) * 1_000_000);
        $ready = @stream_select($read, $write, $except, $seconds, $micro);
        if ($ready === false) {
            throw new RelayException(sprintf('polling the %s relay failed: stream_select() returned false', $this));
        }

        return $ready > 0;
    }

    private function readExact(int $length, string $what): string
    {
        $stream = $this->input();
        $chunks = [];
        $missing = $length;
        while ($missing > 0) {
            $chunk = @fread($stream, min($missing, 1 << 20));
            if ($chunk === false || $chunk === '') {
                if (feof($stream)) {
                    throw new RelayException(sprintf(
                        'the %s relay was closed by the server while reading a %s (%d of %d bytes read)',
                        $this,
                        $what,
                        $length - $missing,
                        $length,
                    ));
                }
                // Nothing yet on a stream that is not at EOF: wait for data rather than spin.
                $this->hasFrame(1.0);
                continue;
            }
            $chunks[] = $chunk;
            $missing -= strlen($chunk);
        }

        return count($chunks) === 1 ? $chunks[0] : implode('', $chunks);
    }

    private function writeAll(string $bytes): void
    {
        $stream = $this->output();
        $total = strlen($bytes);
        $offset = 0;
        $stalls = 0;
        while ($offset < $total) {
            $written = @fwrite($stream, $offset === 0 ? $bytes : substr($bytes, $offset));
            if ($written === false) {
                throw new RelayException(sprintf(
                    'writing a frame to the %s relay failed after %d of %d bytes; the server has probably closed it',
                    $this,
                    $offset,
                    $total,
                ));
            }
            if ($written === 0) {
                if (++$stalls > 100) {
                    throw new RelayException(sprintf('the %s relay stopped accepting data (%d of %d bytes written)', $this, $offset, $total));
                }
                $read = null;
                $write = [$stream];
                $except = null;
                @stream_select($read, $write, $except, 0, 100_000);
                continue;
            }
            $stalls = 0;
            $offset += $written;
        }
        fflush($stream);
    }
}
