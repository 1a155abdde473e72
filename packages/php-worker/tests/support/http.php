<?php

declare(strict_types=1);

use RR\Worker\Goridge\Frame;

/** A request context as the server builds it (protocol spec §4.2). */
function httpContext(array $overrides = []): array
{
    return $overrides + [
        'remoteAddr' => '127.0.0.1',
        'protocol' => 'HTTP/1.1',
        'method' => 'GET',
        'uri' => 'http://localhost:8080/dump',
        'headers' => new \stdClass(),
        'cookies' => new \stdClass(),
        'rawQuery' => '',
        'parsed' => false,
        'uploads' => null,
        'attributes' => null,
    ];
}

function startHttp(string $script = __DIR__ . '/../fixtures/http-app.php'): WorkerProcess
{
    $w = new WorkerProcess($script);
    $w->pipes()->sendPid();
    assertSame(Frame::CONTROL, $w->pipes()->read()->flags, 'handshake');

    return $w;
}

/**
 * Send one JSON-context request and return [status, headers, body, frame flags].
 *
 * @return array{0: int, 1: array<string, list<string>>, 2: string, 3: int}
 */
function httpCall(WorkerProcess $w, array $context, string $body = ''): array
{
    $w->pipes()->request(json_encode($context, JSON_UNESCAPED_SLASHES), $body, Frame::CODEC_JSON);
    $frame = $w->pipes()->read();
    if ($frame->hasFlag(Frame::ERROR)) {
        fail('worker answered with a soft error: ' . $frame->payload);
    }
    assertSame(0, $frame->byte10, 'single-frame response');
    [$ctx, $respBody] = FrameConnection::split($frame);
    $response = json_decode($ctx, true, 512, JSON_THROW_ON_ERROR);

    return [$response['status'], $response['headers'], $respBody, $frame->flags];
}
