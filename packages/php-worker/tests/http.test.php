<?php

declare(strict_types=1);

use RR\Worker\Goridge\Frame;

require_once __DIR__ . '/support/proto.php';
require_once __DIR__ . '/support/http.php';

test('decodes the JSON request context: method, uri, protocol, headers, cookies, query, remote address', function (): void {
    $w = startHttp();
    [$status, $headers, $body, $flags] = httpCall($w, httpContext([
        'method' => 'DELETE',
        'protocol' => 'HTTP/2.0',
        'uri' => 'http://example.test:8080/dump?a[]=1&a[]=2&b[c]=d&e=%20f',
        'rawQuery' => 'a[]=1&a[]=2&b[c]=d&e=%20f',
        'remoteAddr' => '10.0.0.5',
        'headers' => ['Content-Type' => ['text/plain'], 'X-Forwarded-For' => ['1.2.3.4', '5.6.7.8'], 'Cookie' => ['sid=abc; theme=dark']],
        'cookies' => ['sid' => 'abc', 'theme' => 'dark mode'],
        'attributes' => ['ipAddress' => '1.2.3.4', 'custom' => ['nested' => true]],
    ]), 'raw body');
    assertSame(200, $status);
    assertSame(Frame::CODEC_JSON, $flags, 'reply codec follows the request');
    ksort($headers);
    assertSame(['Content-Type' => ['application/json'], 'X-Multi' => ['a', 'b']], $headers);
    $dump = json_decode($body, true);
    assertSame('DELETE', $dump['method']);
    assertSame('http://example.test:8080/dump?a[]=1&a[]=2&b[c]=d&e=%20f', $dump['uri']);
    assertSame('HTTP/2.0', $dump['protocol']);
    assertSame('2', $dump['protocolVersion']);
    assertSame('10.0.0.5', $dump['remoteAddr']);
    assertSame('1.2.3.4', $dump['clientAddr'], 'ipAddress attribute wins');
    assertSame(['1.2.3.4', '5.6.7.8'], $dump['headers']['X-Forwarded-For']);
    assertSame('text/plain', $dump['contentType'], 'case-insensitive header lookup');
    assertSame(['sid' => 'abc', 'theme' => 'dark mode'], $dump['cookies']);
    assertSame(['a' => ['1', '2'], 'b' => ['c' => 'd'], 'e' => ' f'], $dump['query']);
    assertSame('raw body', $dump['body']);
    assertSame(false, $dump['parsed']);
    assertSame(null, $dump['parsedBody']);
    assertSame(['rr_parsed_body' => false, 'ipAddress' => '1.2.3.4', 'custom' => ['nested' => true]], $dump['attributes']);
});

test('parsed form tree: the body is the JSON tree and getParsedBody() decodes it', function (): void {
    $w = startHttp();
    $tree = ['a' => '2', 'b' => ['x', 'y'], 'c' => ['d' => 'z'], 'e' => '', 'n' => ['0' => 'zero']];
    [, , $body] = httpCall($w, httpContext([
        'method' => 'POST',
        'headers' => ['Content-Type' => ['application/x-www-form-urlencoded']],
        'parsed' => true,
    ]), json_encode($tree));
    $dump = json_decode($body, true);
    assertSame(true, $dump['parsed']);
    assertSame(['a' => '2', 'b' => ['x', 'y'], 'c' => ['d' => 'z'], 'e' => '', 'n' => ['zero']], $dump['parsedBody']);
    assertSame(['rr_parsed_body' => true], $dump['attributes']);

    [, , $body] = httpCall($w, httpContext(['method' => 'POST', 'parsed' => true]), '{}');
    assertSame([], json_decode($body, true)['parsedBody'], 'empty tree');
});

test('uploads: the tree keeps nesting, lists and error codes; tmpName files are readable', function (): void {
    $w = startHttp();
    $files = [];
    foreach (['avatar', 'doc1', 'doc2'] as $name) {
        $files[$name] = tempnam(sys_get_temp_dir(), 'upload');
        file_put_contents($files[$name], "content of $name");
        defer(static fn () => @unlink($files[$name]));
    }
    $file = static fn (string $key, string $client, string $mime) => [
        'name' => $client, 'mime' => $mime, 'size' => filesize($files[$key]), 'error' => 0, 'tmpName' => $files[$key],
    ];
    $uploads = [
        'avatar' => $file('avatar', 'a.png', 'image/png'),
        'docs' => [$file('doc1', 'one.txt', 'text/plain'), $file('doc2', 'two.txt', 'text/plain')],
        'deep' => ['evil' => ['name' => 'x.php', 'mime' => '', 'size' => 0, 'error' => 8, 'tmpName' => '']],
    ];
    [, , $body] = httpCall($w, httpContext([
        'method' => 'POST',
        'headers' => ['Content-Type' => ['multipart/form-data; boundary=xyz']],
        'parsed' => true,
        'uploads' => $uploads,
    ]), '{"title":"hello"}');
    $dump = json_decode($body, true);
    assertSame(['title' => 'hello'], $dump['parsedBody']);
    assertSame('content of avatar', $dump['uploads']['avatar']['content']);
    assertSame('a.png', $dump['uploads']['avatar']['name']);
    assertSame('image/png', $dump['uploads']['avatar']['mime']);
    assertSame(strlen('content of avatar'), $dump['uploads']['avatar']['size']);
    assertSame(['content of doc1', 'content of doc2'], array_column($dump['uploads']['docs'], 'content'));
    assertSame(8, $dump['uploads']['deep']['evil']['error']);
    assertSame(null, $dump['uploads']['deep']['evil']['content']);
});

test('response context: status, headers as lists, {} when empty; handler return shapes', function (): void {
    $w = startHttp();
    [$status, $headers, $body] = httpCall($w, httpContext(['uri' => 'http://localhost/array']));
    assertSame([201, ['X-Kind' => ['array']], 'created'], [$status, $headers, $body]);
    [$status, $headers, $body] = httpCall($w, httpContext(['uri' => 'http://localhost/string']));
    assertSame([200, ['Content-Type' => ['text/html; charset=UTF-8']], 'plain'], [$status, $headers, $body]);

    $w->pipes()->request(json_encode(httpContext(['uri' => 'http://localhost/nowhere'])), '');
    [$ctx] = FrameConnection::split($w->pipes()->read());
    assertSame('{"status":404,"headers":{}}', $ctx, 'empty headers are a JSON object');
});

test('handler exceptions and unusable return values become soft errors; the worker goes on', function (): void {
    $w = startHttp();
    $w->pipes()->request(json_encode(httpContext(['uri' => 'http://localhost/throw'])), '');
    $frame = $w->pipes()->read();
    assertSame(Frame::ERROR, $frame->flags);
    assertContains('DomainException: handler exploded', $frame->payload);
    $w->pipes()->request(json_encode(httpContext(['uri' => 'http://localhost/bad'])), '');
    $frame = $w->pipes()->read();
    assertSame(Frame::ERROR, $frame->flags);
    assertContains('the HTTP handler returned int', $frame->payload);
    assertSame(201, httpCall($w, httpContext(['uri' => 'http://localhost/array']))[0]);
});

test('an undecodable context gets a clear soft error instead of killing the worker', function (): void {
    $w = startHttp();
    $w->pipes()->request('{not json', 'x');
    $frame = $w->pipes()->read();
    assertSame(Frame::ERROR, $frame->flags);
    assertContains('cannot decode the HTTP request context (JSON frame', $frame->payload);
    assertSame(201, httpCall($w, httpContext(['uri' => 'http://localhost/array']))[0]);
});

test('streamed body: context on the first chunk, empty chunks skipped, return value is the final frame', function (): void {
    $w = startHttp();
    $w->pipes()->request(json_encode(httpContext(['uri' => 'http://localhost/stream'])), '');
    $frames = [];
    do {
        $frame = $w->pipes()->read();
        $frames[] = [$frame->byte10 & Frame::STREAM, ...FrameConnection::split($frame)];
    } while ($frame->hasStreamBit(Frame::STREAM));
    assertSame([
        [Frame::STREAM, '{"status":200,"headers":{"X-Stream":["1"]}}', 'a'],
        [Frame::STREAM, '', 'b'],
        [Frame::STREAM, '', 'c'],
        [0, '', 'd'],
    ], $frames);
});

test('a STOP from the server is thrown into the generator and the stream ends with an empty frame', function (): void {
    $w = startHttp();
    $w->pipes()->request(json_encode(httpContext(['uri' => 'http://localhost/endless'])), '');
    do {
        $frame = $w->pipes()->read();
    } while (!$frame->hasStreamBit(Frame::PING));
    $w->pipes()->send(new Frame('', [], 0, Frame::STOP));
    do {
        $frame = $w->pipes()->read();
    } while ($frame->hasStreamBit(Frame::STREAM));
    assertSame(['', ''], FrameConnection::split($frame), 'terminator');
    $w->waitStderr('generator saw the stop at chunk');
    assertSame(201, httpCall($w, httpContext(['uri' => 'http://localhost/array']))[0], 'serves the next request');
});

test('103 Early Hints goes out as a STREAM frame before the final response', function (): void {
    $w = startHttp();
    $w->pipes()->request(json_encode(httpContext(['uri' => 'http://localhost/early'])), '');
    $hints = $w->pipes()->read();
    assertSame(Frame::STREAM, $hints->byte10);
    assertSame(['{"status":103,"headers":{"Link":["</style.css>; rel=preload"]}}', ''], FrameConnection::split($hints));
    $final = $w->pipes()->read();
    assertSame(0, $final->byte10);
    assertSame('after hints', FrameConnection::split($final)[1]);
});

test('protobuf (0x80) request contexts are decoded and answered in protobuf', function (): void {
    $w = startHttp();
    $context = pbRequest([
        'remoteAddr' => '192.168.1.9', 'protocol' => 'HTTP/1.1', 'method' => 'POST',
        'uri' => 'http://localhost/dump?q=1', 'rawQuery' => 'q=1',
        'headers' => ['Content-Type' => ['application/x-www-form-urlencoded'], 'Accept' => ['a', 'b']],
        'cookies' => ['sid' => ['xyz']], 'parsed' => true, 'uploads' => null,
        'attributes' => ['ipAddress' => ['9.9.9.9']],
    ]);
    // Proto-era servers send an empty body for an empty form tree.
    $w->pipes()->request($context, '', Frame::CODEC_PROTO);
    $frame = $w->pipes()->read();
    assertSame(Frame::CODEC_PROTO, $frame->flags, 'reply codec');
    [$ctx, $body] = FrameConnection::split($frame);
    $response = pbResponse($ctx);
    ksort($response['headers']);
    assertSame(['status' => 200, 'headers' => ['Content-Type' => ['application/json'], 'X-Multi' => ['a', 'b']]], $response);
    $dump = json_decode($body, true);
    assertSame('POST', $dump['method']);
    assertSame('192.168.1.9', $dump['remoteAddr']);
    assertSame('9.9.9.9', $dump['clientAddr']);
    assertSame(['a', 'b'], $dump['headers']['Accept']);
    assertSame(['sid' => 'xyz'], $dump['cookies']);
    assertSame(['q' => '1'], $dump['query']);
    assertSame([], $dump['parsedBody'], 'empty parsed body becomes {}');
    assertSame(['rr_parsed_body' => true, 'ipAddress' => '9.9.9.9'], $dump['attributes']);

    $w->pipes()->request("\x0a\xff", '', Frame::CODEC_PROTO);
    $frame = $w->pipes()->read();
    assertSame(Frame::ERROR, $frame->flags, 'malformed protobuf is a soft error');
    assertContains('protobuf frame', $frame->payload);
});

test('the examples/http-hello.php worker says hello', function (): void {
    $w = startHttp(__DIR__ . '/../examples/http-hello.php');
    [$status, $headers, $body] = httpCall($w, httpContext(['uri' => 'http://localhost/?name=rr', 'rawQuery' => 'name=rr']));
    assertSame([200, ['text/plain; charset=utf-8'], 'Hello, rr!'], [$status, $headers['Content-Type'], $body]);
    $w->pipes()->sendStop();
    assertSame(0, $w->waitExit());
});
