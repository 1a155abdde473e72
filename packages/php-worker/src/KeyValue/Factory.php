<?php

declare(strict_types=1);

namespace RR\Worker\KeyValue;

use RR\Worker\RPC\RPC;

/** Hands out caches for the storages of rr's kv section. */
final class Factory
{
    public function __construct(private readonly RPC $rpc)
    {
    }

    /** Connects to RR_RPC (or $address). */
    public static function create(?string $address = null): self
    {
        return new self(RPC::create($address));
    }

    /**
     * @param null|callable(mixed): string $serialize
     * @param null|callable(string): mixed $unserialize
     */
    public function select(string $storage, ?callable $serialize = null, ?callable $unserialize = null): Cache
    {
        if ($storage === '') {
            throw new InvalidArgumentException('storage name must not be empty');
        }

        return new Cache($this->rpc, $storage, $serialize, $unserialize);
    }
}
