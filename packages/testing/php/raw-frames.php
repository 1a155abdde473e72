<?php
// Goridge frames by hand (pack/unpack/crc32), for test workers that speak the wire protocol
// without rr's PHP library (packages/php-worker): they check the server against the protocol
// itself, so a bug shared by the library and the server cannot hide. Do not require the library here.
//
// Used by plugins/http/test/php/raw-worker.php and plugins/pool/test/php/worker.php.

declare(strict_types=1);

/** Reads exactly $n bytes; EOF means rr went away, and a test worker must never outlive it. */
function read_exact($in, int $n): string
{
    $buf = '';
    while (strlen($buf) < $n) {
        $chunk = fread($in, $n - strlen($buf));
        if ($chunk === false || $chunk === '') {
            if (feof($in)) {
                exit(0);
            }
            continue;
        }
        $buf .= $chunk;
    }
    return $buf;
}

/** @return array{0:int,1:int[],2:string,3:int} flags, options, payload, stream byte */
function read_frame($in): array
{
    $h = read_exact($in, 12);
    $hl = ord($h[0]) & 0x0f;
    $flags = ord($h[1]);
    $len = unpack('V', substr($h, 2, 4))[1];
    $stream = ord($h[10]);
    $opts = [];
    if ($hl > 3) {
        $opts = array_values(unpack('V*', read_exact($in, ($hl - 3) * 4)));
    }
    $payload = $len > 0 ? read_exact($in, $len) : '';
    return [$flags, $opts, $payload, $stream];
}

/** Writes one frame; a closed pipe (rr went away) ends the worker quietly. */
function write_frame($out, int $flags, array $opts, string $payload, int $stream = 0): void
{
    $h = chr(0x10 | (3 + count($opts))) . chr($flags) . pack('V', strlen($payload));
    $h .= pack('V', crc32($h)) . chr($stream) . chr(0);
    foreach ($opts as $o) {
        $h .= pack('V', $o);
    }
    $data = $h . $payload;
    while ($data !== '') {
        $n = fwrite($out, $data);
        if ($n === false || $n === 0) {
            exit(0);
        }
        $data = substr($data, $n);
    }
}

/** Non-blocking look for a frame from the server (STOP/PONG during a stream); null when none is waiting. */
function poll_frame($in): ?array
{
    $r = [$in];
    $w = $e = null;
    if (@stream_select($r, $w, $e, 0, 0) > 0) {
        return read_frame($in);
    }
    return null;
}
