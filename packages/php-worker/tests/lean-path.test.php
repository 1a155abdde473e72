<?php

declare(strict_types=1);

/*
 * The per-request path skips Frame and Payload objects when the relay and worker are this
 * library's own (AbstractStreamRelay::waitDataFrame(), Worker::waitParts()/respondParts(),
 * Frame::encodeData()). These tests pin it to the general path: same bytes, same errors, short
 * reads, and a relay or worker of another kind still served through the public interfaces.
 */

use RR\Worker\Exception\WorkerException;
use RR\Worker\Goridge\Frame;
use RR\Worker\Goridge\FrameException;
use RR\Worker\Goridge\RelayException;
use RR\Worker\Goridge\RelayInterface;
use RR\Worker\Goridge\StreamRelay;
use RR\Worker\Http\HttpWorker;
use RR\Worker\Payload;
use RR\Worker\Worker;
use RR\Worker\WorkerInterface;

/**
 * A read-only stream that hands out at most `chunk` bytes per read, so every fread() of the relay
 * comes back short and has to be completed.
 */
final class TrickleStream
{
    public static string $data = '';
    public static int $chunk = 5;
    private int $pos = 0;
    /** @var resource|null */
    public $context;

    public function stream_open(string $path, string $mode, int $options, ?string &$opened): bool
    {
        return true;
    }

    public function stream_read(int $count): string
    {
        $bytes = substr(self::$data, $this->pos, min($count, self::$chunk));
        $this->pos += strlen($bytes);

        return $bytes;
    }

    public function stream_eof(): bool
    {
        return $this->pos >= strlen(self::$data);
    }

    public function stream_set_option(int $option, int $arg1, ?int $arg2): bool
    {
        return false;
    }
}

/** Frames held in memory; a RelayInterface that is not an AbstractStreamRelay. */
final class ListRelay implements RelayInterface
{
    /** @var list<Frame> */
    public array $sent = [];

    /** @param list<Frame> $incoming */
    public function __construct(private array $incoming)
    {
    }

    public function waitFrame(): Frame
    {
        return array_shift($this->incoming) ?? throw new RelayException('no more frames');
    }

    public function send(Frame $frame): void
    {
        $this->sent[] = $frame;
    }

    public function hasFrame(float $timeout = 0.0): bool
    {
        return $this->incoming !== [];
    }

    public function isBlocking(): bool
    {
        return true;
    }

    public function close(): void
    {
    }

    public function __toString(): string
    {
        return 'list';
    }
}

/** @return resource a php://memory stream holding $bytes, positioned at the start */
function leanMemory(string $bytes = '')
{
    $stream = fopen('php://memory', 'w+b');
    fwrite($stream, $bytes);
    rewind($stream);

    return $stream;
}

/** @return resource */
function leanTrickle(string $bytes, int $chunk)
{
    if (!in_array('rr-trickle', stream_get_wrappers(), true)) {
        stream_wrapper_register('rr-trickle', TrickleStream::class);
    }
    TrickleStream::$data = $bytes;
    TrickleStream::$chunk = $chunk;

    return fopen('rr-trickle://in', 'rb');
}

/** @return list<Frame> every frame written to $out */
function leanFrames($out): array
{
    rewind($out);
    $bytes = stream_get_contents($out);
    $frames = [];
    for ($at = 0; $at < strlen($bytes);) {
        $h = Frame::decodeHeader(substr($bytes, $at, 12));
        $total = 12 + 4 * $h['optionCount'] + $h['length'];
        $frames[] = Frame::decode(substr($bytes, $at, $total));
        $at += $total;
    }

    return $frames;
}

test('encodeData() writes the bytes of the equivalent Frame (spec E4, E5, E9, and a large frame)', function (): void {
    assertSame('140809000000' . '65e5fd64' . '0000' . '07000000' . bin2hex('{"a":1}hi'), bin2hex(Frame::encodeData('{"a":1}', 'hi', Frame::CODEC_JSON)), 'E4');
    $ctx = '{"status":200,"headers":{}}';
    assertSame(bin2hex((new Frame($ctx . 'OK', [27]))->encode()), bin2hex(Frame::encodeData($ctx, 'OK')), 'E5');
    assertSame('1400200000' . '00104eb789' . '0100' . '1b000000', bin2hex(substr(Frame::encodeData($ctx, 'chunk', 0, Frame::STREAM), 0, 16)), 'E9');
    $body = random_bytes(70000);
    assertSame((new Frame('ctx' . $body, [3], Frame::CODEC_PROTO, Frame::STREAM | Frame::PING))->encode(), Frame::encodeData('ctx', $body, Frame::CODEC_PROTO, Frame::STREAM | Frame::PING));
    assertSame((new Frame('', [0]))->encode(), Frame::encodeData('', ''), 'empty');
});

test('a relay reads every kind of frame the same way whether fread() returns whole or short reads', function (): void {
    $frames = [
        new Frame('{"pid":1}', [], Frame::CONTROL | Frame::CODEC_JSON),
        new Frame('{"a":1}hi', [7], Frame::CODEC_JSON),
        new Frame('', [0], Frame::CODEC_RAW),
        new Frame('body only', [0]),
        new Frame('ctx only', [8]),
        new Frame('', [], 0, Frame::PONG),
        new Frame('chunk', [0], 0, Frame::STREAM),
        new Frame('method{"x":1}', [7, 6], Frame::CODEC_JSON),
        new Frame('bad', [9], Frame::CODEC_JSON),
        new Frame(str_repeat('c', 70000) . random_bytes(100000), [70000], Frame::CODEC_JSON),
        new Frame(random_bytes(80000), [0], Frame::CODEC_RAW),
        new Frame(random_bytes(70000), [90000], Frame::CODEC_JSON),
    ];
    $bytes = implode('', array_map(static fn (Frame $f) => $f->encode(), $frames));
    foreach (['whole' => leanMemory($bytes), 'short' => leanTrickle($bytes, 5), 'odd' => leanTrickle($bytes, 4099)] as $how => $in) {
        $relay = new StreamRelay($in, leanMemory());
        foreach ($frames as $i => $expected) {
            $got = $relay->waitFrame();
            assertSame([$expected->payload, $expected->options, $expected->flags, $expected->byte10], [$got->payload, $got->options, $got->flags, $got->byte10], "$how read, frame $i");
        }
        assertThrows(RelayException::class, static fn () => $relay->waitFrame(), 'closed by the server while reading a frame header (0 of 12');
    }
});

test('a relay that ends inside a frame or carries garbage fails with the general messages', function (): void {
    $frame = (new Frame('{"a":1}' . str_repeat('b', 100), [7], Frame::CODEC_JSON))->encode();
    $relay = new StreamRelay(leanTrickle(substr($frame, 0, 50), 7), leanMemory());
    assertThrows(RelayException::class, static fn () => $relay->waitFrame(), 'while reading a frame payload (34 of 107 bytes read)');
    $relay = new StreamRelay(leanTrickle(substr($frame, 0, 14), 7), leanMemory());
    assertThrows(RelayException::class, static fn () => $relay->waitFrame(), 'while reading a frame options (2 of 4 bytes read)');
    $relay = new StreamRelay(leanMemory(substr($frame, 0, 8)), leanMemory());
    assertThrows(RelayException::class, static fn () => $relay->waitFrame(), 'frame header (8 of 12 bytes read)');
    $relay = new StreamRelay(leanMemory('Hello world! and more'), leanMemory());
    assertThrows(FrameException::class, static fn () => $relay->waitFrame(), 'CRC32');
});

test('Worker: the lean path and a relay of another kind give the same payloads, replies and errors', function (): void {
    $incoming = [
        new Frame('{"pid":1}', [], Frame::CONTROL | Frame::CODEC_JSON),
        new Frame('', [], 0, Frame::STOP),
        new Frame('{"a":1}hi', [7], Frame::CODEC_JSON),
        new Frame('no option', [], Frame::CODEC_RAW),
        new Frame('', [0], 0, Frame::PONG),
        new Frame('x', [5], Frame::CODEC_JSON),
        new Frame('{"stop":true}', [], Frame::CONTROL | Frame::CODEC_JSON),
    ];
    $expected = [['hi', '{"a":1}', true, Frame::CODEC_JSON], ['no option', '', true, Frame::CODEC_RAW]];
    $lean = new Worker(new StreamRelay(leanMemory(implode('', array_map(static fn (Frame $f) => $f->encode(), $incoming))), $out = leanMemory()), false);
    $list = new Worker($listRelay = new ListRelay($incoming), false);
    foreach (['lean' => $lean, 'list' => $list] as $how => $worker) {
        foreach ($expected as $i => $want) {
            $p = $worker->waitPayload();
            assertSame($want, [$p->body, $p->header, $p->eos, $p->flags], "$how payload $i");
            $worker->respond(new Payload("re:{$p->body}", $p->header), Frame::CODEC_JSON);
        }
        assertThrows(WorkerException::class, static fn () => $worker->waitPayload(), 'context length 5 exceeds the payload length 1');
        assertSame(null, $worker->waitPayload(), "$how stop");
    }
    $leanFrames = array_map(static fn (Frame $f) => $f->encode(), leanFrames($out));
    $listFrames = array_map(static fn (Frame $f) => $f->encode(), $listRelay->sent);
    assertSame(3, count($leanFrames), 'pid reply and two responses');
    assertSame($listFrames, $leanFrames, 'the same bytes on both paths');
    assertSame(['{"a":1}', 're:hi'], [substr($leanFrames[1], 16, 7), substr($leanFrames[1], 23)]);
});

test('HttpWorker: response contexts are byte-exact for any header shape, and a repeated array is not stale', function (): void {
    $in = leanMemory((new Frame('{"method":"GET"}', [16], Frame::CODEC_JSON))->encode());
    $http = new HttpWorker(new Worker(new StreamRelay($in, $out = leanMemory()), false));
    assertSame('GET', $http->waitRequest()?->method);
    $stringable = new class () implements \Stringable {
        public function __toString(): string
        {
            return 'obj';
        }
    };
    $headers = ['A' => ['1']];
    $cases = [
        [200, [], '{}'],
        [200, ['Content-Type' => ['text/plain']], '{"Content-Type":["text/plain"]}'],
        [201, ['Content-Type' => ['text/plain']], '{"Content-Type":["text/plain"]}'],
        [200, ['0' => ['zero'], '12' => 'n'], '{"0":["zero"],"12":["n"]}'],
        [200, ['' => ['dropped'], 'Empty' => [], 'A' => 'x', 'B' => [1, true, null, [2]], 'C' => [$stringable]], '{"A":["x"],"B":["1","1"],"C":["obj"]}'],
        [200, ['Map' => ['k' => 'v'], 'U' => ["caf\u{e9}/\xff"]], '{"Map":["v"],"U":["caf' . "\u{e9}/\u{fffd}" . '"]}'],
        [200, $headers, '{"A":["1"]}'],
    ];
    foreach ($cases as [$status, $h, $json]) {
        $http->respond($status, 'b', $h);
    }
    $headers['A'][] = '2';
    $http->respond(200, 'b', $headers);
    $cases[] = [200, $headers, '{"A":["1","2"]}'];
    $http->respond(200, 'b', $headers);
    $cases[] = [200, $headers, '{"A":["1","2"]}'];
    $http->respond(404, 'b', $headers);
    $cases[] = [404, $headers, '{"A":["1","2"]}'];

    $frames = leanFrames($out);
    assertSame(count($cases), count($frames), 'one frame per response');
    foreach ($cases as $i => [$status, , $json]) {
        assertSame(['{"status":' . $status . ',"headers":' . $json . '}', 'b'], FrameConnection::split($frames[$i]), "response $i");
        assertSame(Frame::CODEC_JSON, $frames[$i]->flags, "response $i codec");
    }
});

test('HttpWorker over a WorkerInterface of another kind serves requests through Payload objects', function (): void {
    $worker = new class () implements WorkerInterface {
        /** @var list<Payload|null> */
        public array $incoming = [];
        /** @var list<array{Payload, int}> */
        public array $replies = [];
        /** @var list<string> */
        public array $errors = [];

        public function waitPayload(): ?Payload
        {
            return array_shift($this->incoming);
        }

        public function respond(Payload $payload, int $codec = 0): void
        {
            $this->replies[] = [$payload, $codec];
        }

        public function error(string $message): void
        {
            $this->errors[] = $message;
        }

        public function stop(): void
        {
        }
    };
    $worker->incoming = [
        new Payload('x', '{bad', true, Frame::CODEC_JSON),
        new Payload('hi', '{"method":"PUT","headers":{"A":["1"]},"cookies":{"c":"d"},"rawQuery":"q=1"}', true, Frame::CODEC_JSON),
        null,
    ];
    $http = new HttpWorker($worker);
    $request = $http->waitRequest();
    assertContains('cannot decode the HTTP request context (JSON frame, 4 bytes)', $worker->errors[0] ?? '', 'soft error first');
    assertSame(['PUT', ['A' => ['1']], ['c' => 'd'], ['q' => '1'], 'hi'], [$request->method, $request->headers, $request->cookies, $request->query, $request->body]);
    $http->respond(200, 'ok', ['A' => ['1']]);
    [$payload, $codec] = $worker->replies[0];
    assertSame(['{"status":200,"headers":{"A":["1"]}}', 'ok', true, Frame::CODEC_JSON], [$payload->header, $payload->body, $payload->eos, $codec]);
    assertSame(null, $http->waitRequest());
});
