<?php
// Raw goridge worker for the relay tests (no Composer). Relay from RR_RELAY: pipes, tcp://, unix://.
// Answers the pid control frame, exits on the stop command, echoes data frames unchanged, and
// obeys a few commands in the payload to misbehave on purpose:
//   "garbage"       print text to the relay outside a frame (like a stray echo)
//   "die-mid-frame" write half a frame, then exit
//   "error"         answer with an error frame (flags 0x40)
declare(strict_types=1);

$relay = getenv('RR_RELAY') ?: 'pipes';
if ($relay === 'pipes') {
    $in = STDIN;
    $out = STDOUT;
} else {
    $sock = stream_socket_client($relay, $errno, $errstr, 5);
    if ($sock === false) {
        fwrite(STDERR, "connect $relay failed: $errstr\n");
        exit(2);
    }
    $in = $out = $sock;
}

function read_exact($s, int $n): ?string
{
    $buf = '';
    while (strlen($buf) < $n) {
        $chunk = fread($s, $n - strlen($buf));
        if ($chunk === false || $chunk === '') {
            if (feof($s)) {
                return null;
            }
            continue;
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
        $data = substr($data, $n);
    }
}

function pack_frame(int $flags, array $options, string $payload, int $stream = 0): string
{
    $head = chr(0x10 | (3 + count($options))) . chr($flags) . pack('V', strlen($payload));
    $head .= pack('V', crc32($head)) . chr($stream) . chr(0);
    foreach ($options as $o) {
        $head .= pack('V', $o);
    }
    return $head . $payload;
}

while (true) {
    $h = read_exact($in, 12);
    if ($h === null) {
        exit(0);
    }
    $hl = ord($h[0]) & 0x0f;
    $flags = ord($h[1]);
    $len = unpack('V', substr($h, 2, 4))[1];
    $stream = ord($h[10]);
    $options = $hl > 3 ? array_values(unpack('V*', read_exact($in, ($hl - 3) * 4))) : [];
    $payload = $len > 0 ? read_exact($in, $len) : '';
    if ($flags & 0x01) {
        $cmd = json_decode($payload, true);
        if (!empty($cmd['stop'])) {
            exit(0);
        }
        if (!empty($cmd['pid'])) {
            write_all($out, pack_frame(0x01, [], json_encode(['pid' => getmypid()])));
            continue;
        }
        exit(3);
    }
    if ($stream & 0x0a) {
        continue; // STOP / PONG
    }
    switch ($payload) {
        case 'garbage':
            write_all($out, "Hello from PHP echo\n");
            break;
        case 'die-mid-frame':
            write_all($out, substr(pack_frame(0, [0], 'abcdef'), 0, 15));
            exit(0);
        case 'error':
            write_all($out, pack_frame(0x40, [], 'boom'));
            break;
        default:
            write_all($out, pack_frame($flags, $options, $payload, $stream));
    }
}
