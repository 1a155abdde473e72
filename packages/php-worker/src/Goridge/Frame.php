<?php

declare(strict_types=1);

namespace RR\Worker\Goridge;

/**
 * One goridge v3/v4 frame: a 12-byte header, 0..10 uint32 options, then the payload.
 *
 * Only bytes 0..5 are covered by the CRC, so the stream byte (byte 10), the options and the
 * payload can differ between frames that share a CRC.
 *
 * Global functions on the per-request paths of this library are called fully qualified
 * (`\strlen`): PHP then binds them when compiling, and turns strlen, count, is_string and the like
 * into single opcodes, instead of looking for a namespaced function first on every call.
 */
final class Frame
{
    public const VERSION = 1;

    // Flags (byte 1).
    public const CONTROL = 0x01;
    public const CODEC_RAW = 0x04;
    public const CODEC_JSON = 0x08;
    public const CODEC_MSGPACK = 0x10;
    public const CODEC_GOB = 0x20;
    public const ERROR = 0x40;
    public const CODEC_PROTO = 0x80;

    // Stream byte (byte 10).
    public const STREAM = 0x01;
    public const STOP = 0x02;
    public const PING = 0x04;
    public const PONG = 0x08;

    public const HEADER_SIZE = 12;
    public const MAX_OPTIONS = 10;

    /**
     * @param list<int> $options
     */
    public function __construct(
        public string $payload = '',
        public array $options = [],
        public int $flags = 0,
        public int $byte10 = 0,
    ) {
    }

    public function hasFlag(int $flag): bool
    {
        return ($this->flags & $flag) === $flag;
    }

    public function hasStreamBit(int $bit): bool
    {
        return ($this->byte10 & $bit) === $bit;
    }

    /**
     * Serialise the frame; the result is written to the relay in one call.
     */
    public function encode(): string
    {
        $count = \count($this->options);
        if ($count > self::MAX_OPTIONS) {
            throw new FrameException(sprintf(
                'cannot encode a goridge frame with %d options: the protocol allows at most %d',
                $count,
                self::MAX_OPTIONS,
            ));
        }
        $length = \strlen($this->payload);
        if ($length > 0xFFFFFFFF) {
            throw new FrameException('cannot encode a goridge frame: payload exceeds 4 GiB');
        }

        $head = \pack('CCV', (self::VERSION << 4) | ($count + 3), $this->flags & 0xFF, $length);
        // CRC, byte 10 and the reserved byte 11 in one pack ('x' is a NUL byte).
        $tail = \pack('VCx', \crc32($head), $this->byte10 & 0xFF);
        foreach ($this->options as $option) {
            $tail .= \pack('V', $option & 0xFFFFFFFF);
        }

        return $head . $tail . $this->payload;
    }

    /**
     * The bytes of a worker data frame, `new Frame($context . $body, [strlen($context)], $flags,
     * $byte10)->encode()`, without building the Frame or the joined payload first: the per-request
     * path writes every response through here.
     */
    public static function encodeData(string $context, string $body, int $flags = 0, int $byte10 = 0): string
    {
        $contextLength = \strlen($context);
        $length = $contextLength + \strlen($body);
        if ($length > 0xFFFFFFFF) {
            throw new FrameException('cannot encode a goridge frame: payload exceeds 4 GiB');
        }
        // Byte 0: version 1, header length 4 words (one option).
        $head = \pack('CCV', 0x14, $flags & 0xFF, $length);

        return $head . \pack('VCxV', \crc32($head), $byte10 & 0xFF, $contextLength) . $context . $body;
    }

    /**
     * Parse the fixed 12-byte header. The caller then reads `optionCount * 4` option bytes and
     * `length` payload bytes.
     *
     * @return array{optionCount: int, flags: int, length: int, byte10: int}
     */
    public static function decodeHeader(string $header, bool $verifyCrc = true): array
    {
        if (strlen($header) !== self::HEADER_SIZE) {
            throw new FrameException(sprintf(
                'a goridge frame header is 12 bytes, got %d',
                strlen($header),
            ));
        }
        /** @var array{b0: int, flags: int, length: int, crc: int, byte10: int} $h */
        $h = unpack('Cb0/Cflags/Vlength/Vcrc/Cbyte10', $header);
        $hl = $h['b0'] & 0x0F;
        if ($hl < 3 || $hl > 3 + self::MAX_OPTIONS) {
            throw new FrameException(sprintf(
                'invalid goridge frame: header length %d words (valid: 3..13); the peer is not speaking goridge v3/v4, saw %s',
                $hl,
                self::printable($header),
            ));
        }
        if ($verifyCrc && crc32(substr($header, 0, 6)) !== $h['crc']) {
            throw new FrameException(sprintf(
                'invalid goridge frame: CRC32 of the header does not match; the stream is out of sync or is not goridge, saw %s',
                self::printable($header),
            ));
        }

        return ['optionCount' => $hl - 3, 'flags' => $h['flags'], 'length' => $h['length'], 'byte10' => $h['byte10']];
    }

    /**
     * Decode one complete frame held in `$bytes` (header, options and payload, nothing more).
     */
    public static function decode(string $bytes, bool $verifyCrc = true): self
    {
        $h = self::decodeHeader(substr($bytes, 0, self::HEADER_SIZE), $verifyCrc);
        $optionBytes = $h['optionCount'] * 4;
        $expected = self::HEADER_SIZE + $optionBytes + $h['length'];
        if (strlen($bytes) !== $expected) {
            throw new FrameException(sprintf(
                'invalid goridge frame: header announces %d bytes in total, got %d',
                $expected,
                strlen($bytes),
            ));
        }

        return new self(
            substr($bytes, self::HEADER_SIZE + $optionBytes),
            self::decodeOptions(substr($bytes, self::HEADER_SIZE, $optionBytes)),
            $h['flags'],
            $h['byte10'],
        );
    }

    /**
     * @return list<int>
     */
    public static function decodeOptions(string $bytes): array
    {
        if ($bytes === '') {
            return [];
        }

        return array_values(unpack('V*', $bytes));
    }

    private static function printable(string $bytes): string
    {
        return json_encode($bytes, JSON_INVALID_UTF8_SUBSTITUTE | JSON_UNESCAPED_SLASHES) ?: bin2hex($bytes);
    }
}
