<?php

/*
 * The floor for request-loop.php: a hand-written pipes worker with no library and no app. It
 * answers the pid handshake, ends on the stop command, and answers every request with a fixed
 * hello response after json_decode-ing its context. Not a usable worker (no STREAM/PONG handling,
 * no stray-output guard): it only shows what the frame I/O itself costs in PHP.
 */

declare(strict_types=1);

$response = '{"status":200,"headers":{"Content-Type":["text/plain; charset=utf-8"]}}';
$body = 'Hello, world';
$head = pack('CCV', 0x14, 0x08, strlen($response) + strlen($body));
$frame = $head . pack('V', crc32($head)) . "\0\0" . pack('V', strlen($response)) . $response . $body;

while (true) {
    $h = fread(STDIN, 12);
    if ($h === '' || $h === false) {
        exit(1);
    }
    $u = unpack('Cb0/Cflags/Vlen', $h);
    $rest = ($u['b0'] & 0x0F) - 3 + $u['len'] > 0 ? fread(STDIN, 4 * (($u['b0'] & 0x0F) - 3) + $u['len']) : '';
    if ($u['flags'] & 0x01) {
        $cmd = json_decode($rest, true);
        if (!empty($cmd['stop'])) {
            exit(0);
        }
        $pid = '{"pid":' . getmypid() . '}';
        $ph = pack('CCV', 0x13, 0x01, strlen($pid));
        fwrite(STDOUT, $ph . pack('V', crc32($ph)) . "\0\0" . $pid);
        continue;
    }
    $ctxLen = unpack('V', $rest)[1];
    $ctx = json_decode(substr($rest, 4, $ctxLen), true);
    fwrite(STDOUT, $frame);
}
