<?php
// An HTTP worker on rr's PHP library (packages/php-worker): HttpWorker for frames and streaming,
// answers per test/php/routes.php, the same routes as raw-worker.php.

declare(strict_types=1);

use RR\Worker\Exception\StreamStoppedException;
use RR\Worker\Http\HttpWorker;
use RR\Worker\Http\Request;

require __DIR__ . '/../../../../packages/php-worker/src/autoload.php';
require __DIR__ . '/routes.php';

$http = HttpWorker::create();

function context_of(Request $r): array
{
    $attributes = $r->attributes;
    unset($attributes['rr_parsed_body']);
    return [
        'remoteAddr' => $r->remoteAddr,
        'protocol' => $r->protocol,
        'method' => $r->method,
        'uri' => $r->uri,
        'headers' => (object) $r->headers,
        'cookies' => (object) $r->cookies,
        'rawQuery' => $r->rawQuery,
        'parsed' => $r->parsed,
        'uploads' => $r->uploads === [] ? null : $r->uploads,
        'attributes' => $attributes === [] ? null : $attributes,
    ];
}

while ($request = $http->waitRequest()) {
    $ctx = json_decode(json_encode(context_of($request)), true);
    $r = test_route($ctx, $request->body);
    switch ($r['do'] ?? null) {
        case null:
            $http->respond($r[0], $r[2], $r[1]);
            break;
        case 'emptyctx':
            // The library always sends a context; an empty one is only possible on the raw wire.
            $http->respond(200, 'no context here', ['Content-Type' => ['text/plain']]);
            break;
        case 'soft':
            $http->getWorker()->error($r['message']);
            break;
        case 'crash':
            fwrite(STDERR, "lib worker: dying mid-request\n");
            posix_kill(getmypid(), SIGKILL);
            sleep(10);
            break;
        case 'hang':
            while (true) {
                sleep(1000);
            }
        case 'stream':
            $n = $r['n'];
            $http->respond(200, (function () use ($n) {
                for ($i = 1; $i < $n; $i++) {
                    yield "chunk$i;";
                    usleep(1000);
                }
                return "chunk$n;";
            })(), ['Content-Type' => ['text/plain'], 'X-Stream' => ['yes']]);
            break;
        case 'streamforever':
            $flag = $r['flag'];
            $http->respond(200, (function () use ($flag) {
                $i = 0;
                try {
                    while (true) {
                        $i++;
                        yield "chunk$i;";
                        usleep(2000);
                    }
                } catch (StreamStoppedException $e) {
                    if ($flag !== '') {
                        file_put_contents($flag, "stopped after $i\n");
                    }
                }
            })(), ['Content-Type' => ['text/plain']]);
            break;
        case 'early':
            $http->respond(103, '', ['Link' => ['</style.css>; rel=preload; as=style']], false);
            $http->respond(200, 'after hints', ['Content-Type' => ['text/plain']]);
            break;
        case 'proto':
            // The library answers in the codec of the request (JSON here): same status and headers.
            $http->respond(201, 'proto body', ['Content-Type' => ['text/plain'], 'X-Proto' => ['yes', 'twice']]);
            break;
        case 'upgrade':
            $http->respond(101, '', ['Upgrade' => ['websocket']], false);
            $http->respond(200, 'not upgraded', ['Content-Type' => ['text/plain']]);
            break;
    }
}
