<?php

declare(strict_types=1);

namespace RR\Worker\RPC;

interface CodecInterface
{
    /** The goridge codec flag sent with requests (Frame::CODEC_*). */
    public function getIndex(): int;

    public function encode(mixed $payload): string;

    public function decode(string $payload, mixed $options = null): mixed;
}
