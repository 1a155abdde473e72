<?php
// An HTTP worker written against the wire protocol alone (no library): goridge frames by hand
// (packages/testing/php/raw-frames.php),
// the JSON request context decoded with json_decode, answers per test/php/routes.php.

declare(strict_types=1);

require __DIR__ . '/../../../../packages/testing/php/raw-frames.php';
require __DIR__ . '/routes.php';

const F_CONTROL = 0x01;
const F_JSON = 0x08;
const F_ERROR = 0x40;
const F_PROTO = 0x80;
const S_STREAM = 0x01;
const S_STOP = 0x02;
const S_PONG = 0x08;

$in = STDIN;
$out = STDOUT;

function respond($out, string $ctx, string $body, int $stream = 0, int $flags = F_JSON): void
{
    write_frame($out, $flags, [strlen($ctx)], $ctx . $body, $stream);
}

function ctx_json(int $status, array $headers): string
{
    return json_encode(['status' => $status, 'headers' => (object) $headers]);
}

function varint(int $v): string
{
    $s = '';
    while ($v > 0x7f) {
        $s .= chr(($v & 0x7f) | 0x80);
        $v >>= 7;
    }
    return $s . chr($v);
}

function ld(int $field, string $bytes): string
{
    return chr(($field << 3) | 2) . varint(strlen($bytes)) . $bytes;
}

/** http.v1.Response{status, headers} by hand (protocol.md §5.8). */
function proto_response(int $status, array $headers): string
{
    $out = chr(1 << 3) . varint($status);
    foreach ($headers as $name => $values) {
        $hv = '';
        foreach ($values as $v) {
            $hv .= ld(1, $v);
        }
        $out .= ld(2, ld(1, $name) . ld(2, $hv));
    }
    return $out;
}

while (true) {
    [$flags, $opts, $payload, $stream] = read_frame($in);
    if ($flags & F_CONTROL) {
        $cmd = json_decode($payload, true);
        if (!empty($cmd['stop'])) {
            exit(0);
        }
        write_frame($out, F_CONTROL, [], json_encode(['pid' => getmypid()]));
        continue;
    }
    if ($stream & (S_STOP | S_PONG)) {
        continue;
    }
    $ctxLen = $opts[0];
    $ctx = json_decode(substr($payload, 0, $ctxLen), true);
    $body = (string) substr($payload, $ctxLen);
    if (!is_array($ctx) || !($flags & F_JSON)) {
        write_frame($out, F_ERROR, [], 'raw worker: expected a JSON context with flag 0x08');
        continue;
    }
    $r = test_route($ctx, $body);
    switch ($r['do'] ?? null) {
        case null:
            respond($out, ctx_json($r[0], $r[1]), $r[2]);
            break;
        case 'emptyctx':
            respond($out, '', 'no context here');
            break;
        case 'soft':
            write_frame($out, F_ERROR, [], $r['message']);
            break;
        case 'crash':
            fwrite(STDERR, "raw worker: dying mid-request\n");
            posix_kill(getmypid(), SIGKILL);
            sleep(10);
            break;
        case 'hang':
            while (true) {
                sleep(1000);
            }
        case 'stream':
            $c = ctx_json(200, ['Content-Type' => ['text/plain'], 'X-Stream' => ['yes']]);
            for ($i = 1; $i < $r['n']; $i++) {
                respond($out, $i === 1 ? $c : '', "chunk$i;", S_STREAM);
                usleep(1000);
            }
            respond($out, $r['n'] === 1 ? $c : '', "chunk{$r['n']};");
            break;
        case 'streamforever':
            $i = 0;
            $stopped = false;
            while (!$stopped) {
                $i++;
                respond($out, $i === 1 ? ctx_json(200, ['Content-Type' => ['text/plain']]) : '', "chunk$i;", S_STREAM);
                usleep(2000);
                while (($f = poll_frame($in)) !== null) {
                    if ($f[3] & S_STOP) {
                        $stopped = true;
                    }
                }
            }
            if ($r['flag'] !== '') {
                file_put_contents($r['flag'], "stopped after $i\n");
            }
            respond($out, '', '');
            break;
        case 'early':
            respond($out, ctx_json(103, ['Link' => ['</style.css>; rel=preload; as=style']]), '', S_STREAM);
            respond($out, ctx_json(200, ['Content-Type' => ['text/plain']]), 'after hints');
            break;
        case 'proto':
            respond($out, proto_response(201, ['Content-Type' => ['text/plain'], 'X-Proto' => ['yes', 'twice']]), 'proto body', 0, F_PROTO);
            break;
        case 'upgrade':
            respond($out, ctx_json(101, ['Upgrade' => ['websocket']]), '', S_STREAM);
            respond($out, ctx_json(200, ['Content-Type' => ['text/plain']]), 'not upgraded');
            break;
    }
}
