<?php

declare(strict_types=1);

namespace RR\Worker\Http;

/**
 * Just enough protobuf for the HTTP contexts of RoadRunner ≥ 2024.1 (`http.v1.Request` in,
 * `http.v1.Response` out), so the library needs neither ext-protobuf nor generated classes.
 *
 * @internal
 */
final class ProtoCodec
{
    /**
     * Decode `http.v1.Request` into the shape of the JSON context (protocol spec §4.2), with the
     * conversions roadrunner-http applies in proto mode.
     *
     * @return array<string, mixed>
     */
    public static function decodeRequest(string $bytes): array
    {
        $context = [
            'remoteAddr' => '', 'protocol' => '', 'method' => '', 'uri' => '',
            'headers' => [], 'cookies' => [], 'rawQuery' => '', 'parsed' => false,
            'uploads' => null, 'attributes' => [],
        ];
        $strings = [1 => 'remoteAddr', 2 => 'protocol', 3 => 'method', 4 => 'uri', 7 => 'rawQuery'];
        foreach (self::fields($bytes) as [$field, $wire, $value]) {
            if (isset($strings[$field]) && $wire === 2) {
                $context[$strings[$field]] = $value;
            } elseif ($field === 8 && $wire === 0) {
                $context['parsed'] = $value !== 0;
            } elseif ($field === 9 && $wire === 2) {
                $context['uploads'] = $value === '' ? null : json_decode($value, true);
            } elseif (in_array($field, [5, 6, 10], true) && $wire === 2) {
                [$name, $values] = self::mapEntry($value);
                match ($field) {
                    5 => $context['headers'][$name] = $values,
                    6 => $context['cookies'][$name] = implode(',', $values),
                    10 => $context['attributes'][$name] = $values[0] ?? '',
                };
            }
        }

        return $context;
    }

    /**
     * Encode `http.v1.Response{status = 1; map<string, HeaderValue> headers = 2}`.
     *
     * @param array<string, list<string>> $headers
     */
    public static function encodeResponse(int $status, array $headers): string
    {
        $out = $status !== 0 ? "\x08" . self::varint($status) : '';
        foreach ($headers as $name => $values) {
            $headerValue = '';
            foreach ($values as $value) {
                $headerValue .= "\x0a" . self::varint(strlen($value)) . $value;
            }
            $entry = "\x0a" . self::varint(strlen((string) $name)) . $name
                . "\x12" . self::varint(strlen($headerValue)) . $headerValue;
            $out .= "\x12" . self::varint(strlen($entry)) . $entry;
        }

        return $out;
    }

    /**
     * @return array{0: string, 1: list<string>} key and the HeaderValue's values
     */
    private static function mapEntry(string $bytes): array
    {
        $key = '';
        $values = [];
        foreach (self::fields($bytes) as [$field, $wire, $value]) {
            if ($field === 1 && $wire === 2) {
                $key = $value;
            } elseif ($field === 2 && $wire === 2) {
                foreach (self::fields($value) as [$f, $w, $v]) {
                    if ($f === 1 && $w === 2) {
                        $values[] = $v;
                    }
                }
            }
        }

        return [$key, $values];
    }

    /**
     * @return \Generator<int, array{0: int, 1: int, 2: int|string}>
     */
    private static function fields(string $bytes): \Generator
    {
        $pos = 0;
        $end = strlen($bytes);
        while ($pos < $end) {
            $key = self::readVarint($bytes, $pos);
            $field = $key >> 3;
            $wire = $key & 7;
            switch ($wire) {
                case 0:
                    $value = self::readVarint($bytes, $pos);
                    break;
                case 1:
                    $value = self::take($bytes, $pos, 8);
                    break;
                case 2:
                    $value = self::take($bytes, $pos, self::readVarint($bytes, $pos));
                    break;
                case 5:
                    $value = self::take($bytes, $pos, 4);
                    break;
                default:
                    throw new \UnexpectedValueException("malformed protobuf: unsupported wire type $wire for field $field");
            }
            yield [$field, $wire, $value];
        }
    }

    private static function readVarint(string $bytes, int &$pos): int
    {
        $result = 0;
        $shift = 0;
        $end = strlen($bytes);
        while (true) {
            if ($pos >= $end || $shift > 63) {
                throw new \UnexpectedValueException('malformed protobuf: truncated varint');
            }
            $byte = ord($bytes[$pos++]);
            $result |= ($byte & 0x7F) << $shift;
            if ($byte < 0x80) {
                return $result;
            }
            $shift += 7;
        }
    }

    private static function take(string $bytes, int &$pos, int $length): string
    {
        if ($length < 0 || $pos + $length > strlen($bytes)) {
            throw new \UnexpectedValueException('malformed protobuf: field runs past the end of the message');
        }
        $value = substr($bytes, $pos, $length);
        $pos += $length;

        return $value;
    }

    private static function varint(int $value): string
    {
        $out = '';
        // Negative int64 values take ten bytes in two's complement; `>>` alone would never end.
        for ($i = 0; $i < 10; $i++) {
            $low = $value & 0x7F;
            $value = ($value >> 7) & (PHP_INT_MAX >> 6);
            if ($value === 0) {
                return $out . chr($low);
            }
            $out .= chr($low | 0x80);
        }

        return $out;
    }
}
