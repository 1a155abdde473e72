<?php

declare(strict_types=1);

use RR\Worker\Goridge\Frame;

require_once __DIR__ . '/support/http.php';

test('PSR-7: builds a Nyholm ServerRequest from the JSON context', function (): void {
    $w = startHttp(__DIR__ . '/fixtures/psr7-dump.php');
    $tmp = tempnam(sys_get_temp_dir(), 'upload');
    file_put_contents($tmp, 'file bytes');
    defer(static fn () => @unlink($tmp));

    [$status, $headers, $body] = httpCall($w, httpContext([
        'method' => 'PUT',
        'protocol' => 'HTTP/2.0',
        'uri' => 'http://example.test/dump?x=1&y[]=2',
        'rawQuery' => 'x=1&y[]=2',
        'remoteAddr' => '::1',
        'headers' => [
            'Content-Type' => ['multipart/form-data; boundary=b'],
            'X-Foo-Bar' => ['one', 'two'],
            'Cookie' => ['sid=abc'],
        ],
        'cookies' => ['sid' => 'abc'],
        'parsed' => true,
        'uploads' => [
            'file' => ['name' => 'f.txt', 'mime' => 'text/plain', 'size' => 10, 'error' => 0, 'tmpName' => $tmp],
            'list' => [['name' => 'bad.exe', 'mime' => '', 'size' => 0, 'error' => 8, 'tmpName' => '']],
        ],
        'attributes' => ['route' => 'r1'],
    ]), '{"field":"v","arr":{"k":"w"}}');
    assertSame(200, $status);
    assertSame(['application/json'], $headers['Content-Type']);
    $d = json_decode($body, true);
    assertSame('Nyholm\Psr7\ServerRequest', $d['class']);
    assertSame('PUT', $d['method']);
    assertSame('http://example.test/dump?x=1&y%5B%5D=2', $d['uri']);
    assertSame('2', $d['protocolVersion']);
    assertSame(['one', 'two'], $d['headers']['X-Foo-Bar']);
    assertSame('example.test', $d['host'], 'Host comes from the URI');
    assertSame(['sid' => 'abc'], $d['cookies']);
    assertSame(['x' => '1', 'y' => ['2']], $d['query']);
    assertSame(['field' => 'v', 'arr' => ['k' => 'w']], $d['parsedBody']);
    assertSame('{"field":"v","arr":{"k":"w"}}', $d['body'], 'for parsed forms the stream holds the JSON text');
    assertSame(['rr_parsed_body' => true, 'route' => 'r1'], $d['attributes']);
    assertSame([
        'class' => 'Nyholm\Psr7\UploadedFile', 'clientFilename' => 'f.txt', 'clientMediaType' => 'text/plain',
        'size' => 10, 'error' => 0, 'content' => 'file bytes',
    ], $d['uploads']['file']);
    assertSame(8, $d['uploads']['list'][0]['error']);
    assertSame('bad.exe', $d['uploads']['list'][0]['clientFilename']);
    assertSame([
        'REQUEST_URI' => 'http://example.test/dump?x=1&y[]=2',
        'REMOTE_ADDR' => '::1',
        'REQUEST_METHOD' => 'PUT',
        'HTTP_X_FOO_BAR' => 'one, two',
        'CONTENT_TYPE' => 'multipart/form-data; boundary=b',
        'HTTP_USER_AGENT' => '',
        'QUERY_STRING' => 'x=1&y[]=2',
        'has_time' => true,
    ], array_merge(array_fill_keys(['REQUEST_URI', 'REMOTE_ADDR', 'REQUEST_METHOD', 'HTTP_X_FOO_BAR', 'CONTENT_TYPE', 'HTTP_USER_AGENT', 'QUERY_STRING'], null), $d['server']));
});

test('PSR-7: a GET without body has an empty stream and null parsed body', function (): void {
    $w = startHttp(__DIR__ . '/fixtures/psr7-dump.php');
    [, , $body] = httpCall($w, httpContext(['protocol' => 'HTTP/1.0']));
    $d = json_decode($body, true);
    assertSame('', $d['body']);
    assertSame(null, $d['parsedBody']);
    assertSame('1.0', $d['protocolVersion']);
    assertSame([], $d['uploads']);
});

test('PSR-7: responses keep status and repeated headers; chunkSize streams the body', function (): void {
    $w = startHttp(__DIR__ . '/fixtures/psr7-dump.php');
    [$status, $headers, $body] = httpCall($w, httpContext(['uri' => 'http://localhost/teapot']));
    assertSame([418, ['Set-Cookie' => ['a=1', 'b=2']], ''], [$status, $headers, $body]);

    $w->pipes()->request(json_encode(httpContext(['uri' => 'http://localhost/chunked'])), '');
    $bodies = [];
    do {
        $frame = $w->pipes()->read();
        $bodies[] = FrameConnection::split($frame)[1];
    } while ($frame->hasStreamBit(Frame::STREAM));
    assertSame(['0123', '4567', '89', ''], $bodies);
});

test('the examples/psr7-echo.php worker echoes method, uri, headers and body as JSON', function (): void {
    $w = startHttp(__DIR__ . '/../examples/psr7-echo.php');
    [$status, $headers, $body] = httpCall($w, httpContext([
        'method' => 'POST',
        'uri' => 'http://localhost:8080/echo?z=1',
        'headers' => ['X-Test' => ['yes']],
    ]), 'hello body');
    assertSame(200, $status);
    assertSame(['application/json'], $headers['Content-Type']);
    assertSame([
        'method' => 'POST',
        'uri' => 'http://localhost:8080/echo?z=1',
        'headers' => ['Host' => ['localhost:8080'], 'X-Test' => ['yes']],
        'body' => 'hello body',
    ], json_decode($body, true));
    $w->pipes()->sendStop();
    assertSame(0, $w->waitExit());
});
