<?php

declare(strict_types=1);

use RR\Worker\Goridge\Frame;

/**
 * Start the fixture worker with a socket relay, accept its connection and do the handshake the
 * server does: send our pid on accept, expect the worker's OS pid back.
 *
 * @return array{0: WorkerProcess, 1: FrameConnection}
 */
function startSocketWorker(string $kind): array
{
    $server = new SocketServer($kind);
    $w = new WorkerProcess(__DIR__ . '/fixtures/worker.php', ['RR_RELAY' => $server->address], false);
    $conn = $server->accept();
    $conn->sendPid(getmypid());
    $reply = $conn->read();
    assertSame(Frame::CONTROL, $reply->flags, 'pid reply flags');
    assertSame(['pid' => $w->pid, 'prefetch' => true], json_decode($reply->payload, true), 'the pid matches the spawned process; prefetch is announced');

    return [$w, $conn];
}

foreach (['tcp', 'unix'] as $kind) {
    test("$kind relay: connect back, pid handshake, request/response, stop", function () use ($kind): void {
        [$w, $conn] = startSocketWorker($kind);
        $conn->request('{"via":"' . $kind . '"}', 'hi');
        assertSame(['{"via":"' . $kind . '"}', 'hi'], FrameConnection::split($conn->read()));
        $conn->request('{}', 'error:bad');
        assertSame('bad', $conn->read()->payload);
        $conn->sendStop();
        assertSame('', $w->stdout()->readToEof(), 'STDOUT stays silent with socket relays');
        assertSame(0, $w->waitExit());
    });

    test("$kind relay: streams without PING and stops on the first poll after STOP", function () use ($kind): void {
        [$w, $conn] = startSocketWorker($kind);
        $conn->request('{}', 'stream:7');
        $bits = [];
        do {
            $frame = $conn->read();
            $bits[] = $frame->byte10;
        } while ($frame->hasStreamBit(Frame::STREAM));
        assertSame(array_merge(array_fill(0, 7, Frame::STREAM), [0]), $bits, 'socket relays never ping');

        $conn->request('{}', 'endless');
        $first = $conn->read();
        assertTrue($first->hasStreamBit(Frame::STREAM), 'streaming started');
        $conn->send(new Frame('', [], 0, Frame::STOP));
        do {
            $frame = $conn->read();
        } while ($frame->hasStreamBit(Frame::STREAM));
        assertSame(['', ''], FrameConnection::split($frame), 'empty terminator');
        $w->waitStderr('stream stopped after');
        $conn->request('{}', 'again');
        assertSame(['{}', 'again'], FrameConnection::split($conn->read()));
    });
}

test('a relay address the library cannot use fails with a clear message', function (): void {
    $w = new WorkerProcess(__DIR__ . '/fixtures/worker.php', ['RR_RELAY' => 'tcp://:7000'], false);
    assertTrue($w->waitExit() !== 0, 'exit code is non-zero');
    assertContains('unsupported socket relay address "tcp://:7000"', $w->stderr());
});

test('an unreachable socket relay fails after bounded retries', function (): void {
    $path = sys_get_temp_dir() . '/rr-php-worker-missing-' . getmypid() . '.sock';
    $w = new WorkerProcess(__DIR__ . '/fixtures/worker.php', ['RR_RELAY' => "unix://$path"], false);
    assertTrue($w->waitExit(10) !== 0, 'exit code is non-zero');
    assertContains('cannot connect to the relay', $w->stderr());
});
