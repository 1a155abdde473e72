<?php

declare(strict_types=1);

namespace RR\Worker\KeyValue;

/**
 * Just enough protobuf for kv.v1 (Request/Item/Response) and lock.v1beta1 (Request/Response), so
 * no protobuf extension or generated classes are needed. Field numbers are those of RoadRunner's
 * .proto files.
 */
final class Proto
{
    public static function varint(int $value): string
    {
        $out = '';
        // Negative int64 values take ten bytes (two's complement); PHP's >> is arithmetic, so mask.
        do {
            $byte = $value & 0x7f;
            $value = ($value >> 7) & 0x01ffffffffffffff;
            $out .= chr($value !== 0 ? $byte | 0x80 : $byte);
        } while ($value !== 0);

        return $out;
    }

    public static function bytesField(int $field, string $bytes): string
    {
        return self::varint(($field << 3) | 2) . self::varint(strlen($bytes)) . $bytes;
    }

    public static function varintField(int $field, int $value): string
    {
        return self::varint($field << 3) . self::varint($value);
    }

    /**
     * kv.v1.Request { string storage = 1; repeated Item items = 2; },
     * Item { string key = 1; bytes value = 2; string timeout = 3; }; proto3 leaves out empty fields.
     *
     * @param list<array{key: string, value?: string, timeout?: string}> $items
     */
    public static function kvRequest(string $storage, array $items): string
    {
        $out = $storage === '' ? '' : self::bytesField(1, $storage);
        foreach ($items as $item) {
            $body = $item['key'] === '' ? '' : self::bytesField(1, $item['key']);
            if (($item['value'] ?? '') !== '') {
                $body .= self::bytesField(2, $item['value']);
            }
            if (($item['timeout'] ?? '') !== '') {
                $body .= self::bytesField(3, $item['timeout']);
            }
            $out .= self::bytesField(2, $body);
        }

        return $out;
    }

    /**
     * kv.v1.Response { repeated Item items = 1; } → key => ['value' => ..., 'timeout' => ...].
     *
     * @return array<string, array{value: string, timeout: string}>
     */
    public static function kvResponse(string $bytes): array
    {
        $items = [];
        foreach (self::fields($bytes) as [$field, $value]) {
            if ($field !== 1 || !is_string($value)) {
                continue;
            }
            $item = ['key' => '', 'value' => '', 'timeout' => ''];
            foreach (self::fields($value) as [$f, $v]) {
                if (is_string($v) && $f >= 1 && $f <= 3) {
                    $item[[1 => 'key', 2 => 'value', 3 => 'timeout'][$f]] = $v;
                }
            }
            $items[$item['key']] = ['value' => $item['value'], 'timeout' => $item['timeout']];
        }

        return $items;
    }

    /**
     * lock Request { string resource = 1; string id = 2; optional int64 ttl = 3; optional int64 wait = 4; }:
     * optional fields go on the wire whenever set, zero included.
     */
    public static function lockRequest(string $resource, string $id, ?int $ttl = null, ?int $wait = null): string
    {
        $out = ($resource === '' ? '' : self::bytesField(1, $resource)) . ($id === '' ? '' : self::bytesField(2, $id));
        if ($ttl !== null) {
            $out .= self::varintField(3, $ttl);
        }
        if ($wait !== null) {
            $out .= self::varintField(4, $wait);
        }

        return $out;
    }

    /** lock Response { bool ok = 1; } */
    public static function lockResponse(string $bytes): bool
    {
        $ok = false;
        foreach (self::fields($bytes) as [$field, $value]) {
            if ($field === 1 && is_int($value)) {
                $ok = $value !== 0;
            }
        }

        return $ok;
    }

    /**
     * Top-level fields of a message: [number, int for varints | string for length-delimited].
     * Fixed-width fields are skipped.
     *
     * @return list<array{0: int, 1: int|string}>
     */
    public static function fields(string $bytes): array
    {
        $out = [];
        $pos = 0;
        $len = strlen($bytes);
        while ($pos < $len) {
            $key = self::readVarint($bytes, $pos);
            $field = $key >> 3;
            switch ($key & 7) {
                case 0:
                    $out[] = [$field, self::readVarint($bytes, $pos)];
                    break;
                case 1:
                    $pos += 8;
                    break;
                case 2:
                    $n = self::readVarint($bytes, $pos);
                    if ($pos + $n > $len) {
                        throw new KeyValueException('truncated protobuf message in the RPC reply');
                    }
                    $out[] = [$field, substr($bytes, $pos, $n)];
                    $pos += $n;
                    break;
                case 5:
                    $pos += 4;
                    break;
                default:
                    throw new KeyValueException(sprintf('unsupported protobuf wire type %d in the RPC reply', $key & 7));
            }
        }

        return $out;
    }

    private static function readVarint(string $bytes, int &$pos): int
    {
        $value = 0;
        $shift = 0;
        do {
            if ($pos >= strlen($bytes)) {
                throw new KeyValueException('truncated protobuf varint in the RPC reply');
            }
            $byte = ord($bytes[$pos++]);
            $value |= ($byte & 0x7f) << $shift;
            $shift += 7;
        } while ($byte & 0x80);

        return $value;
    }
}
