<?php

declare(strict_types=1);

namespace RR\Worker\RPC;

use RR\Worker\Goridge\Frame;

/**
 * Bytes in, bytes out (e.g. for `rpc.Config`, or protobuf messages you serialise yourself).
 */
final class RawCodec implements CodecInterface
{
    public function getIndex(): int
    {
        return Frame::CODEC_RAW;
    }

    public function encode(mixed $payload): string
    {
        if (!is_string($payload)) {
            throw new RPCException(sprintf('the raw RPC codec sends strings only, got %s', get_debug_type($payload)));
        }

        return $payload;
    }

    public function decode(string $payload, mixed $options = null): string
    {
        return $payload;
    }
}
