<?php
// A minimal goridge RPC client written from the protocol spec (§1, §5), independent of any library:
// it checks that the server speaks the wire format PHP clients expect. Prints one JSON line per call.
declare(strict_types=1);

[$self, $address] = $argv;
$sock = stream_socket_client($address, $errno, $errstr, 5);
if ($sock === false) {
    fwrite(STDERR, "connect failed: $errstr\n");
    exit(2);
}

function readExact($sock, int $n): string
{
    $buf = '';
    while (strlen($buf) < $n) {
        $chunk = fread($sock, $n - strlen($buf));
        if ($chunk === false || $chunk === '') {
            throw new RuntimeException('connection closed');
        }
        $buf .= $chunk;
    }
    return $buf;
}

function call($sock, int $seq, string $method, string $body, int $flags = 0x08): array
{
    $payload = $method . $body;
    $head = chr(0x15) . chr($flags) . pack('V', strlen($payload));
    $frame = $head . pack('V', crc32($head)) . "\0\0" . pack('VV', $seq, strlen($method)) . $payload;
    fwrite($sock, $frame);

    $h = readExact($sock, 12);
    $hl = ord($h[0]) & 0x0f;
    $len = unpack('V', substr($h, 2, 4))[1];
    $crcOk = unpack('V', substr($h, 6, 4))[1] === crc32(substr($h, 0, 6));
    $options = $hl > 3 ? array_values(unpack('V*', readExact($sock, ($hl - 3) * 4))) : [];
    $payload = $len > 0 ? readExact($sock, $len) : '';
    return [
        'version' => ord($h[0]) >> 4,
        'flags' => ord($h[1]),
        'crcOk' => $crcOk,
        'options' => $options,
        'method' => substr($payload, 0, $options[1] ?? 0),
        'body' => substr($payload, $options[1] ?? 0),
    ];
}

$out = [];
$out[] = call($sock, 1, 'test.Echo', json_encode(['name' => 'hits', 'labels' => ['a', 'é']]));
$out[] = call($sock, 2, 'test.Nope', '"x"');
$out[] = call($sock, 3, 'rpc.Version', 'true');
$out[] = call($sock, 4, 'rpc.Config', '', 0x04);
foreach ($out as $r) {
    echo json_encode($r, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
}
