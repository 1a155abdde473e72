<?php

declare(strict_types=1);

use RR\Worker\Goridge\Frame;

/**
 * Run the RPC client fixture against a goridge RPC server played by this test: every request is
 * recorded, and `$reply` decides the answer.
 *
 * @param callable(Frame, string $method): Frame $reply
 * @return array{0: list<array{seq: int, method: string, flags: int, arg: string}>, 1: list<array<string, mixed>>, 2: string}
 */
function runRpc(string $scenario, callable $reply, string $kind = 'tcp'): array
{
    $server = new SocketServer($kind);
    $client = new WorkerProcess(__DIR__ . '/fixtures/rpc-client.php', ['RR_RPC' => $server->address, 'RPC_SCENARIO' => $scenario], false);
    $conn = $server->accept();
    $requests = [];
    while ($frame = $conn->readOrEof()) {
        assertSame(2, count($frame->options), 'RPC requests carry [seq, method length]');
        [$seq, $len] = $frame->options;
        $method = substr($frame->payload, 0, $len);
        $requests[] = ['seq' => $seq, 'method' => $method, 'flags' => $frame->flags, 'arg' => (string) substr($frame->payload, $len)];
        $conn->send($reply($frame, $method));
    }
    $output = $client->stdout()->readToEof();
    assertSame(0, $client->waitExit(), 'client exit code; STDERR: ' . $client->stderr());

    return [$requests, json_decode($output, true) ?? fail('client printed ' . export($output)), $server->address];
}

/** Echo the request back, or fail it the way the server reports RPC errors. */
function echoOrFail(Frame $frame, string $method): Frame
{
    if ($method === 'test.Fail') {
        return new Frame($method . "rpc: can't find method test.Fail", $frame->options, $frame->flags | Frame::ERROR);
    }

    return new Frame($frame->payload, $frame->options, $frame->flags);
}

foreach (['tcp', 'unix'] as $kind) {
    test("RPC over $kind: method and argument framing, codecs, process-wide sequence, error flag", function () use ($kind): void {
        [$requests, $results, $address] = runRpc('ok', echoOrFail(...), $kind);
        assertSame([
            ['seq' => 1, 'method' => 'test.Echo', 'flags' => Frame::CODEC_JSON, 'arg' => '{"a":1,"path":"x/y","uni":"é"}'],
            ['seq' => 2, 'method' => 'test.Echo', 'flags' => Frame::CODEC_JSON, 'arg' => '"second"'],
            ['seq' => 3, 'method' => 'test.Raw', 'flags' => Frame::CODEC_RAW, 'arg' => "raw\0bytes"],
            ['seq' => 4, 'method' => 'test.Fail', 'flags' => Frame::CODEC_JSON, 'arg' => '1'],
            ['seq' => 5, 'method' => 'test.Echo', 'flags' => Frame::CODEC_JSON, 'arg' => '"after error"'],
        ], $requests);
        assertSame([
            ['ok' => ['a' => 1, 'path' => 'x/y', 'uni' => 'é']],
            ['ok' => 'second'],
            ['ok' => "raw\0bytes"],
            ['error' => 'RR\Worker\RPC\ServiceException', 'message' => "Error 'rpc: can't find method test.Fail' on $address"],
            ['ok' => 'after error'],
        ], $results);
    });
}

test('RPC: a reply with another sequence number is rejected', function (): void {
    [, $results] = runRpc('mismatch', static fn (Frame $f) => new Frame($f->payload, [$f->options[0] + 1, $f->options[1]], $f->flags));
    assertSame('RR\Worker\RPC\RPCException', $results[0]['error']);
    assertContains('Invalid RPC frame, sequence mismatch', $results[0]['message']);
});

test('RPC: a reply without the two options is rejected', function (): void {
    [, $results] = runRpc('nooptions', static fn (Frame $f) => new Frame('"x"', [], $f->flags));
    assertSame(['error' => 'RR\Worker\RPC\RPCException', 'message' => 'Invalid RPC frame, options missing'], $results[0]);
});

test('RPC: a server that is not there gives an RPCException naming the address', function (): void {
    $rpc = new RR\Worker\RPC\RPC(new RR\Worker\Goridge\SocketRelay('unix://' . sys_get_temp_dir() . '/rr-php-worker-none-' . getmypid() . '.sock', 0.2, 1));
    assertThrows(RR\Worker\RPC\RPCException::class, fn () => $rpc->call('x.Y', 1), 'cannot connect to the relay unix://');
});
