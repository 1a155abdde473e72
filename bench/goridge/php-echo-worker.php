<?php
// Minimal raw goridge echo worker over pipes (no Composer, no library), for round-trip benches.
// Answers the pid control frame, exits on {"stop":true}, skips STOP/PONG frames, and echoes every
// data frame back with flags 0 and the same options and payload.
declare(strict_types=1);

$in = STDIN;
$out = STDOUT;

function read_exact($s, int $n): ?string
{
    $buf = fread($s, $n);
    if ($buf === false) {
        return null;
    }
    while (strlen($buf) < $n) {
        $chunk = fread($s, $n - strlen($buf));
        if ($chunk === false || ($chunk === '' && feof($s))) {
            return null;
        }
        $buf .= $chunk;
    }
    return $buf;
}

function write_all($s, string $data): void
{
    while ($data !== '') {
        $n = fwrite($s, $data);
        if ($n === false || $n === 0) {
            exit(1);
        }
        if ($n === strlen($data)) {
            return;
        }
        $data = substr($data, $n);
    }
}

while (true) {
    $h = read_exact($in, 12);
    if ($h === null || strlen($h) < 12) {
        exit(0);
    }
    $hl = ord($h[0]) & 0x0f;
    $flags = ord($h[1]);
    $len = unpack('V', $h, 2)[1];
    $opts = $hl > 3 ? read_exact($in, ($hl - 3) * 4) : '';
    $payload = $len > 0 ? read_exact($in, $len) : '';
    if ($flags & 0x01) {
        $cmd = json_decode($payload, true);
        if (!empty($cmd['stop'])) {
            exit(0);
        }
        if (!empty($cmd['pid'])) {
            $body = json_encode(['pid' => getmypid()]);
            $head = "\x13\x01" . pack('V', strlen($body));
            write_all($out, $head . pack('V', crc32($head)) . "\0\0" . $body);
        }
        continue;
    }
    if (ord($h[10]) & 0x0a) {
        continue;
    }
    $head = chr(0x10 | $hl) . "\0" . pack('V', $len);
    write_all($out, $head . pack('V', crc32($head)) . "\0\0" . $opts . $payload);
}
