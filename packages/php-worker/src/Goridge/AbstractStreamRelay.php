<?php

declare(strict_types=1);

namespace RR\Worker\Goridge;

/**
 * Frame reading and writing over PHP streams, shared by the pipes and socket relays.
 *
 * Reads ask for exactly the bytes the frame still needs, so nothing past the current frame is
 * consumed; `stream_select()` accounts for PHP's own read buffer, so polling stays accurate. A request
 * frame takes two reads (header; option and payload), which PHP's read buffer usually serves from
 * one read(2) of the pipe or socket.
 */
abstract class AbstractStreamRelay implements RelayInterface
{
    /** Longer payloads are read apart from their option, so they are not copied once more. */
    private const JOINED_READ_MAX = 65536;

    /** @return resource */
    abstract protected function input();

    /** @return resource */
    abstract protected function output();

    public function waitFrame(): Frame
    {
        $frame = $this->waitDataFrame();

        return \is_array($frame) ? new Frame($frame[0] . $frame[1], [\strlen($frame[0])], $frame[2]) : $frame;
    }

    /**
     * The next frame; a plain data frame (one option, no CONTROL flag, stream byte 0, the
     * context length within the payload), which is what every request is, comes back as
     * `[context, body, flags]` without a Frame object or a joined payload to split again.
     *
     * @internal Worker's per-request path
     * @return Frame|array{0: string, 1: string, 2: int}
     */
    public function waitDataFrame(): Frame|array
    {
        $in = $this->input();
        $header = @\fread($in, Frame::HEADER_SIZE);
        if ($header === false || \strlen($header) !== Frame::HEADER_SIZE) {
            $header = $this->readRest($in, (string) $header, Frame::HEADER_SIZE, 'frame header');
        }
        // ord() and one two-field unpack() cost less than unpacking all five header fields.
        $hl = \ord($header[0]) & 0x0F;
        $flags = \ord($header[1]);
        $byte10 = \ord($header[10]);
        $h = \unpack('Vlength/Vcrc', $header, 2);
        if ($hl < 3 || $hl > 3 + Frame::MAX_OPTIONS || \crc32(\substr($header, 0, 6)) !== $h['crc']) {
            // The same checks; decodeHeader() throws the detailed FrameException.
            Frame::decodeHeader($header);
        }
        $length = $h['length'];

        if ($hl === 4 && $byte10 === 0 && ($flags & Frame::CONTROL) === 0) {
            if ($length <= self::JOINED_READ_MAX) {
                // Option and payload in one read; the substr() calls copy at most JOINED_READ_MAX bytes.
                $total = 4 + $length;
                $rest = @\fread($in, $total);
                if ($rest === false || \strlen($rest) !== $total) {
                    $rest = $this->readRest($in, (string) $rest, $total, 'frame payload', 4);
                }
                $contextLength = \unpack('V', $rest)[1];
                if ($contextLength <= $length) {
                    return [\substr($rest, 4, $contextLength), \substr($rest, 4 + $contextLength), $flags];
                }

                return new Frame(\substr($rest, 4), [$contextLength], $flags);
            }
            $contextLength = \unpack('V', $this->read($in, 4, 'frame options'))[1];
            if ($contextLength <= $length) {
                return [
                    $contextLength > 0 ? $this->read($in, $contextLength, 'frame payload') : '',
                    $length > $contextLength ? $this->read($in, $length - $contextLength, 'frame payload') : '',
                    $flags,
                ];
            }

            return new Frame($this->read($in, $length, 'frame payload'), [$contextLength], $flags);
        }

        $options = $hl > 3 ? Frame::decodeOptions($this->read($in, 4 * ($hl - 3), 'frame options')) : [];
        $payload = $length > 0 ? $this->read($in, $length, 'frame payload') : '';

        return new Frame($payload, $options, $flags, $byte10);
    }

    public function send(Frame $frame): void
    {
        $this->writeAll($frame->encode());
    }

    /**
     * Write bytes that already form whole frames (Frame::encodeData()), skipping the Frame object.
     *
     * @internal for Worker's response path
     */
    public function sendEncoded(string $bytes): void
    {
        // writeAll() inlined: this runs once per response.
        $stream = $this->output();
        $written = @\fwrite($stream, $bytes);
        if ($written !== \strlen($bytes)) {
            $this->writeRest($stream, $bytes, $written);
        }
        \fflush($stream);
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

    /**
     * @param resource $stream
     */
    private function read($stream, int $length, string $what): string
    {
        // At most 1 MiB up front: fread() allocates what it is asked for before reading.
        $bytes = @\fread($stream, $length <= 1 << 20 ? $length : 1 << 20);
        if ($bytes !== false && \strlen($bytes) === $length) {
            return $bytes;
        }

        return $this->readRest($stream, (string) $bytes, $length, $what);
    }

    /**
     * Complete a short read: the server wrote the frame in pieces, or it has not all arrived yet.
     *
     * @param resource $stream
     * @param int $optionBytes how many leading bytes are frame options, when options and payload
     *     are read together: an error then names the part that was cut short
     */
    private function readRest($stream, string $have, int $length, string $what, int $optionBytes = 0): string
    {
        $chunks = [$have];
        $missing = $length - \strlen($have);
        while ($missing > 0) {
            $chunk = @fread($stream, min($missing, 1 << 20));
            if ($chunk === false || $chunk === '') {
                if (feof($stream)) {
                    $done = $length - $missing;
                    if ($done < $optionBytes) {
                        [$what, $length] = ['frame options', $optionBytes];
                    } else {
                        [$done, $length] = [$done - $optionBytes, $length - $optionBytes];
                    }
                    throw new RelayException(sprintf(
                        'the %s relay was closed by the server while reading a %s (%d of %d bytes read)',
                        $this,
                        $what,
                        $done,
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

        return implode('', $chunks);
    }

    private function writeAll(string $bytes): void
    {
        $stream = $this->output();
        // Pipes and sockets normally take a whole frame in one write.
        $written = @\fwrite($stream, $bytes);
        if ($written !== \strlen($bytes)) {
            $this->writeRest($stream, $bytes, $written);
        }
        \fflush($stream);
    }

    /**
     * Finish a write that the first fwrite() did not complete.
     *
     * @param resource $stream
     * @param int|false $written what the first fwrite() returned
     */
    private function writeRest($stream, string $bytes, int|false $written): void
    {
        $total = strlen($bytes);
        $offset = 0;
        $stalls = 0;
        while (true) {
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
            } else {
                $stalls = 0;
                $offset += $written;
            }
            if ($offset >= $total) {
                return;
            }
            $written = @fwrite($stream, substr($bytes, $offset));
        }
    }
}
