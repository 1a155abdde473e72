<?php

declare(strict_types=1);

namespace RR\Worker\KeyValue;

use RR\Worker\Goridge\Frame;
use RR\Worker\RPC\CodecInterface;
use RR\Worker\RPC\RPCException;

/**
 * Sends bytes already serialised as protobuf under the PROTO codec flag (0x80), which the kv and
 * lock RPC services expect; replies come back as the raw protobuf bytes.
 */
final class ProtobufCodec implements CodecInterface
{
    public function getIndex(): int
    {
        return Frame::CODEC_PROTO;
    }

    public function encode(mixed $payload): string
    {
        if (!is_string($payload)) {
            throw new RPCException(sprintf('the protobuf RPC codec sends serialised messages (strings), got %s', get_debug_type($payload)));
        }

        return $payload;
    }

    public function decode(string $payload, mixed $options = null): string
    {
        return $payload;
    }
}
