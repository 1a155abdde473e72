<?php

declare(strict_types=1);

/*
 * Test-side protobuf for http.v1, written independently from the library's ProtoCodec so the
 * two check each other.
 */

function pbVarint(int $v): string
{
    $out = '';
    while ($v > 0x7F) {
        $out .= chr(($v & 0x7F) | 0x80);
        $v >>= 7;
    }

    return $out . chr($v);
}

function pbBytes(int $field, string $value): string
{
    return pbVarint(($field << 3) | 2) . pbVarint(strlen($value)) . $value;
}

/** @param array<string, list<string>> $map */
function pbHeaderMap(int $field, array $map): string
{
    $out = '';
    foreach ($map as $key => $values) {
        $hv = implode('', array_map(static fn (string $v): string => pbBytes(1, $v), $values));
        $out .= pbBytes($field, pbBytes(1, (string) $key) . pbBytes(2, $hv));
    }

    return $out;
}

/** @param array<string, mixed> $r */
function pbRequest(array $r): string
{
    return pbBytes(1, $r['remoteAddr']) . pbBytes(2, $r['protocol']) . pbBytes(3, $r['method']) . pbBytes(4, $r['uri'])
        . pbHeaderMap(5, $r['headers']) . pbHeaderMap(6, $r['cookies']) . pbBytes(7, $r['rawQuery'])
        . ($r['parsed'] ? "\x40\x01" : '') . ($r['uploads'] !== null ? pbBytes(9, $r['uploads']) : '')
        . pbHeaderMap(10, $r['attributes']);
}

/** @return list<array{int, int, int|string}> field, wire type, value (varint and bytes only) */
function pbFields(string $bytes): array
{
    $fields = [];
    $pos = 0;
    $varint = static function () use ($bytes, &$pos): int {
        $result = 0;
        for ($shift = 0; ; $shift += 7) {
            $b = ord($bytes[$pos++]);
            $result |= ($b & 0x7F) << $shift;
            if ($b < 0x80) {
                return $result;
            }
        }
    };
    while ($pos < strlen($bytes)) {
        $key = $varint();
        if (($key & 7) === 0) {
            $fields[] = [$key >> 3, 0, $varint()];
        } elseif (($key & 7) === 2) {
            $len = $varint();
            $fields[] = [$key >> 3, 2, substr($bytes, $pos, $len)];
            $pos += $len;
        } else {
            fail('unexpected wire type ' . ($key & 7));
        }
    }

    return $fields;
}

/** @return array{status: int, headers: array<string, list<string>>} */
function pbResponse(string $bytes): array
{
    $out = ['status' => 0, 'headers' => []];
    foreach (pbFields($bytes) as [$field, , $value]) {
        if ($field === 1) {
            $out['status'] = $value;
        } elseif ($field === 2) {
            $name = '';
            $values = [];
            foreach (pbFields($value) as [$f, , $v]) {
                if ($f === 1) {
                    $name = $v;
                } else {
                    foreach (pbFields($v) as [, , $item]) {
                        $values[] = $item;
                    }
                }
            }
            $out['headers'][$name] = $values;
        }
    }

    return $out;
}
