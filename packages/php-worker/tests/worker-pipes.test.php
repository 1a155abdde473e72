<?php

declare(strict_types=1);

use RR\Worker\Goridge\Frame;

const WORKER = __DIR__ . '/fixtures/worker.php';

/** Start the fixture worker over pipes and complete the pid handshake. */
function startWorker(string $script = WORKER): WorkerProcess
{
    $w = new WorkerProcess($script);
    $w->pipes()->sendPid(99999);
    $reply = $w->pipes()->read();
    assertSame(Frame::CONTROL, $reply->flags, 'pid reply flags');
    assertSame([], $reply->options, 'pid reply options');
    assertSame(['pid' => $w->pid, 'prefetch' => true], json_decode($reply->payload, true), 'pid reply payload: the pid, and the prefetch capability');

    return $w;
}

test('pid handshake answers with the worker process pid (pipes)', function (): void {
    startWorker();
});

test('echoes context and body in a data frame with one option', function (): void {
    $w = startWorker();
    $w->pipes()->request('{"a":1}', 'hello');
    $frame = $w->pipes()->read();
    assertSame(0, $frame->flags, 'response flags');
    assertSame(0, $frame->byte10, 'byte10');
    assertSame(['{"a":1}', 'hello'], FrameConnection::split($frame));

    $w->pipes()->request('', 'body only');
    assertSame(['', 'body only'], FrameConnection::split($w->pipes()->read()));
    $w->pipes()->request('{"ctx":"only"}', '');
    assertSame(['{"ctx":"only"}', ''], FrameConnection::split($w->pipes()->read()));
});

test('payloads of several MiB cross the pipes both ways', function (): void {
    $w = startWorker();
    $ctx = json_encode(['pad' => str_repeat('p', 100000)]);
    $w->pipes()->request($ctx, 'size:3000000');
    [$gotCtx, $body] = FrameConnection::split($w->pipes()->read(10));
    assertSame($ctx, $gotCtx, 'context');
    assertSame(3000000, strlen($body), 'body length');
    $big = random_bytes(2_500_000);
    $w->pipes()->request('{}', $big);
    assertSame(['{}', $big], FrameConnection::split($w->pipes()->read(10)));
});

test('control stop makes waitPayload return null and the process exit 0', function (): void {
    $w = startWorker();
    $w->pipes()->sendStop();
    assertSame('', $w->pipes()->readToEof(), 'nothing more on STDOUT');
    assertSame(0, $w->waitExit());
    assertContains('worker stopped', $w->stderr());
});

test('soft error is an ERROR frame without options, and the worker keeps serving', function (): void {
    $w = startWorker();
    $w->pipes()->request('{}', 'error:something broke');
    $frame = $w->pipes()->read();
    assertSame(Frame::ERROR, $frame->flags, 'flags');
    assertSame([], $frame->options, 'options');
    assertSame('something broke', $frame->payload);
    $w->pipes()->request('{}', 'still alive');
    assertSame(['{}', 'still alive'], FrameConnection::split($w->pipes()->read()));
});

test('stop() sends {"stop":true} as context with an empty body, then exits on the stop command', function (): void {
    $w = startWorker();
    $w->pipes()->request('{}', 'stop');
    $frame = $w->pipes()->read();
    assertSame(0, $frame->flags);
    assertSame([13], $frame->options);
    assertSame('{"stop":true}', $frame->payload);
    $w->pipes()->sendStop();
    assertSame(0, $w->waitExit());
});

test('after stop() a request sent before the stop command is not run (rr re-runs it elsewhere), then it exits', function (): void {
    $w = startWorker();
    $w->pipes()->request('{}', 'stop');
    // pool.prefetch: the next request may already be in the pipe when the worker asks to be restarted.
    $w->pipes()->request('{}', 'must not run here');
    assertSame(['{"stop":true}', ''], FrameConnection::split($w->pipes()->read()));
    $w->pipes()->sendStop();
    assertSame(null, $w->pipes()->readOrEof(), 'nothing written after the restart request');
    assertSame(0, $w->waitExit());
});

test('PONG and STOP frames outside a stream are skipped', function (): void {
    $w = startWorker();
    $w->pipes()->send(new Frame('', [], 0, Frame::PONG));
    $w->pipes()->send(new Frame('', [], 0, Frame::STOP));
    $w->pipes()->request('{}', 'after');
    assertSame(['{}', 'after'], FrameConnection::split($w->pipes()->read()));
});

test('an unknown control command fails the worker loudly', function (): void {
    $w = startWorker();
    $w->pipes()->send(new Frame('{"dance":true}', [], Frame::CONTROL | Frame::CODEC_JSON));
    assertTrue($w->waitExit() !== 0, 'worker exits non-zero');
    assertContains('undefined control package', $w->stderr());
});

/** Read one streamed response, answering every PING with a PONG. @return list<array{int, string, string}> */
function readStream(FrameConnection $relay): array
{
    $frames = [];
    do {
        $frame = $relay->read();
        [$ctx, $body] = FrameConnection::split($frame);
        $frames[] = [$frame->byte10, $ctx, $body];
        if ($frame->hasStreamBit(Frame::PING)) {
            $relay->send(new Frame('', [], 0, Frame::PONG));
        }
    } while ($frame->hasStreamBit(Frame::STREAM));

    return $frames;
}

test('stream chunks carry STREAM, a PING on the 5th chunk on pipes, and the last frame clears STREAM', function (): void {
    $w = startWorker();
    // Twice: PONGs left over from the first stream are consumed before the next request, so the
    // second stream again pings on its 5th chunk. Whether a PONG is seen mid-stream is timing.
    foreach ([1, 2] as $round) {
        $w->pipes()->request('{}', 'stream:12');
        $frames = readStream($w->pipes());
        assertSame(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11', 'c12', 'end'], array_column($frames, 2), "round $round bodies");
        assertSame('{"first":true}', $frames[0][1], 'first chunk context');
        assertSame('', $frames[1][1], 'second chunk context');
        $bits = array_column($frames, 0);
        assertSame([Frame::STREAM, Frame::STREAM, Frame::STREAM, Frame::STREAM], array_slice($bits, 0, 4), "round $round: plain STREAM before the 5th chunk");
        assertSame(Frame::STREAM | Frame::PING, $bits[4], "round $round: the 5th chunk asks for a PONG");
        assertSame(0, $bits[12], "round $round: the final frame has no stream bits");
    }

    $w->pipes()->request('{}', 'next');
    assertSame(['{}', 'next'], FrameConnection::split($w->pipes()->read()), 'worker serves again after the streams');
});

test('a STOP from the server ends the stream with an empty terminator frame (pipes)', function (): void {
    $w = startWorker();
    $w->pipes()->request('{}', 'endless');
    // Pipes are polled only while a PONG is awaited, so answer the PING with STOP instead.
    do {
        $frame = $w->pipes()->read();
    } while (!$frame->hasStreamBit(Frame::PING));
    $w->pipes()->send(new Frame('', [], 0, Frame::STOP));
    do {
        $frame = $w->pipes()->read();
    } while ($frame->hasStreamBit(Frame::STREAM));
    assertSame('', $frame->payload, 'terminator payload');
    assertSame([0], $frame->options, 'terminator options');
    assertSame(0, $frame->byte10, 'terminator stream bits');
    $w->waitStderr('stream stopped after');

    $w->pipes()->request('{}', 'again');
    assertSame(['{}', 'again'], FrameConnection::split($w->pipes()->read()), 'worker serves again');
});

test('stray output after Worker::create() goes to STDERR, never into the pipes relay', function (): void {
    $w = startWorker();
    $w->pipes()->request('{}', 'noise');
    assertSame(['', 'quiet'], FrameConnection::split($w->pipes()->read()));
    $stderr = $w->waitStderr('noise-warning');
    foreach (['noise-echo', 'noise-print', 'noise-printf', 'noise-dump'] as $noise) {
        assertContains($noise, $stderr);
    }
    $w->pipes()->sendStop();
    assertSame('', $w->pipes()->readToEof(), 'STDOUT holds frames only');
    assertSame(0, $w->waitExit());
});

test('echo right after create and during a request stays off STDOUT', function (): void {
    $w = startWorker(__DIR__ . '/fixtures/noise-after-create.php');
    $w->pipes()->request('{}', 'x');
    assertSame(['', 'ok'], FrameConnection::split($w->pipes()->read()));
    $w->waitStderr('during-request');
    assertContains('after-create', $w->stderr());
    $w->pipes()->sendStop();
    assertSame('', $w->pipes()->readToEof());
    assertSame(0, $w->waitExit());
});

test('the examples/echo.php worker echoes context and body', function (): void {
    $w = startWorker(__DIR__ . '/../examples/echo.php');
    $w->pipes()->request('{"k":"v"}', 'payload', Frame::CODEC_RAW);
    assertSame(['{"k":"v"}', 'payload'], FrameConnection::split($w->pipes()->read()));
    $w->pipes()->sendStop();
    assertSame(0, $w->waitExit());
});
