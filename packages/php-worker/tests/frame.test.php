<?php

declare(strict_types=1);

use RR\Worker\Goridge\Frame;
use RR\Worker\Goridge\FrameException;

function hexOf(string $spaced): string
{
    return (string) hex2bin(str_replace([' ', '|'], '', $spaced));
}

test('crc32 is the IEEE check value the protocol expects', function (): void {
    assertSame(0xCBF43926, crc32('123456789'));
});

// Worked examples from the protocol spec §1.8, byte for byte.
$examples = [
    'E1 pid request' => [new Frame('{"pid":12345}', [], Frame::CONTROL | Frame::CODEC_JSON), '13 09 0d 00 00 00 3a 6b fa cb 00 00' . bin2hex('{"pid":12345}')],
    'E2 pid reply' => [new Frame('{"pid":4242}', [], Frame::CONTROL), '13 01 0c 00 00 00 9e 47 36 43 00 00' . bin2hex('{"pid":4242}')],
    'E3 stop command' => [new Frame('{"stop":true}', [], 0x09), '13 09 0d 00 00 00 3a 6b fa cb 00 00' . bin2hex('{"stop":true}')],
    'E4 data frame' => [new Frame('{"a":1}hi', [7], Frame::CODEC_JSON), '14 08 09 00 00 00 65 e5 fd 64 00 00 07 00 00 00 7b 22 61 22 3a 31 7d 68 69'],
    'E5 response' => [new Frame('{"status":200,"headers":{}}OK', [27]), '14 00 1d 00 00 00 6c 6e f6 8b 00 00 1b 00 00 00' . bin2hex('{"status":200,"headers":{}}OK')],
    'E6 error' => [new Frame('boom', [], Frame::ERROR), '13 40 04 00 00 00 88 1e 11 e3 00 00 62 6f 6f 6d'],
    'E7 pong' => [new Frame('', [], 0, Frame::PONG), '13 00 00 00 00 00 96 d1 80 34 08 00'],
    'E8 stop bit' => [new Frame('', [], 0, Frame::STOP), '13 00 00 00 00 00 96 d1 80 34 02 00'],
    'E9 stream chunk' => [new Frame('{"status":200,"headers":{}}chunk', [27], 0, Frame::STREAM), '14 00 20 00 00 00 10 4e b7 89 01 00 1b 00 00 00' . bin2hex('{"status":200,"headers":{}}chunk')],
    'E10 rpc request' => [new Frame('informer.Workers"http"', [1, 16], Frame::CODEC_JSON), '15 08 16 00 00 00 09 71 db a7 00 00 01 00 00 00 10 00 00 00' . bin2hex('informer.Workers"http"')],
    'E11 rpc error' => [new Frame('informer.Foo' . "rpc: can't find method informer.Foo", [7, 12], Frame::CODEC_JSON | Frame::ERROR), '15 48 2f 00 00 00 6b 9e 0b 72 00 00 07 00 00 00 0c 00 00 00' . bin2hex('informer.Foo' . "rpc: can't find method informer.Foo")],
];

foreach ($examples as $name => [$frame, $hex]) {
    test("encodes spec example $name", function () use ($frame, $hex): void {
        assertSame(bin2hex(hexOf($hex)), bin2hex($frame->encode()));
    });
    test("decodes spec example $name", function () use ($frame, $hex): void {
        $decoded = Frame::decode(hexOf($hex));
        assertSame($frame->payload, $decoded->payload, 'payload');
        assertSame($frame->options, $decoded->options, 'options');
        assertSame($frame->flags, $decoded->flags, 'flags');
        assertSame($frame->byte10, $decoded->byte10, 'byte10');
    });
}

test('large option values and payloads round-trip', function (): void {
    $payload = random_bytes(70000);
    $frame = Frame::decode((new Frame($payload, [0xFFFFFFFF, 0, 123456], Frame::CODEC_RAW, Frame::STREAM | Frame::PING))->encode());
    assertSame([0xFFFFFFFF, 0, 123456], $frame->options);
    assertSame($payload, $frame->payload);
    assertTrue($frame->hasStreamBit(Frame::PING) && $frame->hasStreamBit(Frame::STREAM), 'stream bits kept');
});

test('rejects a header whose CRC does not match (stray output)', function (): void {
    assertThrows(FrameException::class, fn () => Frame::decodeHeader("Hello world!"), 'invalid goridge frame');
    $bytes = (new Frame('x', [1]))->encode();
    $bytes[2] = "\x02";
    assertThrows(FrameException::class, fn () => Frame::decode($bytes), 'CRC32');
});

test('rejects header lengths outside 3..13 and more than 10 options', function (): void {
    $h = pack('CCV', 0x12, 0, 0);
    assertThrows(FrameException::class, fn () => Frame::decodeHeader($h . pack('V', crc32($h)) . "\0\0"), 'header length 2');
    $h = pack('CCV', 0x1E, 0, 0);
    assertThrows(FrameException::class, fn () => Frame::decodeHeader($h . pack('V', crc32($h)) . "\0\0"), 'header length 14');
    assertThrows(FrameException::class, fn () => (new Frame('', range(1, 11)))->encode(), 'at most 10');
});

test('rejects a frame whose length disagrees with its header', function (): void {
    assertThrows(FrameException::class, fn () => Frame::decode((new Frame('abc'))->encode() . 'x'), 'announces');
});
