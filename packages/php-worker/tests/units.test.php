<?php

declare(strict_types=1);

use RR\Worker\Environment;
use RR\Worker\Goridge\Relay;
use RR\Worker\Goridge\RelayException;
use RR\Worker\Goridge\SocketRelay;
use RR\Worker\Goridge\StreamRelay;
use RR\Worker\Http\Request;
use RR\Worker\Http\Server;
use RR\Worker\Http\Response;

test('Environment: RoadRunner defaults and overrides', function (): void {
    $empty = new Environment([]);
    assertSame(['pipes', 'tcp://127.0.0.1:6001', ''], [$empty->getRelayAddress(), $empty->getRPCAddress(), $empty->getMode()]);
    $env = new Environment(['RR_RELAY' => 'unix:///tmp/rr.sock', 'RR_RPC' => 'tcp://127.0.0.1:7001', 'RR_MODE' => 'jobs', 'RR_VERSION' => '2025.1.2']);
    assertSame(['unix:///tmp/rr.sock', 'tcp://127.0.0.1:7001', 'jobs', '2025.1.2'], [$env->getRelayAddress(), $env->getRPCAddress(), $env->getMode(), $env->getVersion()]);
});

test('Relay::create understands pipes, tcp and unix, and rejects what PHP cannot connect to', function (): void {
    assertTrue(Relay::create('pipes') instanceof StreamRelay, 'pipes');
    assertTrue(Relay::create('') instanceof StreamRelay, 'empty means pipes');
    assertTrue(Relay::create('pipes://stdin:stdout') instanceof StreamRelay, 'pipes://in:out');
    assertSame('tcp://127.0.0.1:6001', (string) Relay::create('tcp://127.0.0.1:6001'));
    assertTrue(Relay::create('unix:///tmp/x.sock') instanceof SocketRelay, 'unix');
    assertFalse(Relay::create('tcp://127.0.0.1:6001')->isBlocking(), 'sockets are not blocking relays');
    assertThrows(RelayException::class, fn () => Relay::create('tcp://:7000'), 'explicit host');
    assertThrows(RelayException::class, fn () => Relay::create('127.0.0.1:7000'), 'unsupported relay address');
});

test('Request helpers: protocol version, client address, parsed body, headers, path', function (): void {
    $versions = [];
    foreach (['HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0', 'HTTP/3.0', ''] as $p) {
        $versions[] = (new Request(protocol: $p))->getProtocolVersion();
    }
    assertSame(['1.0', '1.1', '2', '1.1', '1.1'], $versions);
    $r = new Request(remoteAddr: '10.0.0.1', uri: 'http://h/a/b?c=d', headers: ['X-Id' => ['1', '2']], body: '{"a":"b"}', parsed: true);
    assertSame('10.0.0.1', $r->getRemoteAddr());
    assertSame(['a' => 'b'], $r->getParsedBody());
    assertSame('1, 2', $r->getHeaderLine('x-id'));
    assertSame(false, $r->hasHeader('X-Other'));
    assertSame('/a/b', $r->getPath());
    assertSame(null, (new Request(body: '{"a":"b"}'))->getParsedBody(), 'unparsed bodies are not decoded');
});

test('Server::normalise accepts Response, [status, headers, body], strings and null', function (): void {
    $r = Server::normalise([202, ['A' => 'b'], 'x']);
    assertSame([202, ['A' => 'b'], 'x'], [$r->status, $r->headers, $r->body]);
    assertSame(404, Server::normalise([404])->status);
    assertSame('hi', Server::normalise('hi')->body);
    assertSame(204, Server::normalise(null)->status);
    $json = Response::json(['a/b' => 'é']);
    assertSame('{"a/b":"é"}', $json->body);
    assertThrows(\UnexpectedValueException::class, fn () => Server::normalise(['x']), 'returned array');
});
