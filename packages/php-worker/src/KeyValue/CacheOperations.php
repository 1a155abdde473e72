<?php

declare(strict_types=1);

namespace RR\Worker\KeyValue;

use RR\Worker\RPC\RPC;
use RR\Worker\RPC\ServiceException;

/**
 * The body of {@see Cache}: PSR-16 methods over the server's kv.* RPC methods. Parameters are
 * untyped and return types declared so one class satisfies psr/simple-cache 1.x as well as 2.x/3.x.
 *
 * @internal
 */
trait CacheOperations
{
    private readonly RPC $rpc;
    /** @var \Closure(mixed): string */
    private readonly \Closure $serialize;
    /** @var \Closure(string): mixed */
    private readonly \Closure $unserialize;

    /**
     * @param null|callable(mixed): string $serialize   default: serialize()
     * @param null|callable(string): mixed $unserialize default: unserialize()
     */
    public function __construct(RPC $rpc, private readonly string $name, ?callable $serialize = null, ?callable $unserialize = null)
    {
        $this->rpc = $rpc->withCodec(new ProtobufCodec());
        $this->serialize = \Closure::fromCallable($serialize ?? 'serialize');
        $this->unserialize = \Closure::fromCallable($unserialize ?? static fn (string $v): mixed => unserialize($v));
    }

    public function getName(): string
    {
        return $this->name;
    }

    public function get($key, $default = null): mixed
    {
        $found = $this->call('kv.MGet', [['key' => $this->key($key)]]);

        return isset($found[$key]) ? ($this->unserialize)($found[$key]['value']) : $default;
    }

    public function set($key, $value, $ttl = null): bool
    {
        return $this->setMultiple([$this->key($key) => $value], $ttl);
    }

    public function delete($key): bool
    {
        $this->call('kv.Delete', [['key' => $this->key($key)]]);

        return true;
    }

    public function clear(): bool
    {
        $this->call('kv.Clear', []);

        return true;
    }

    public function getMultiple($keys, $default = null): iterable
    {
        $keys = $this->keys($keys);
        $found = $keys === [] ? [] : $this->call('kv.MGet', array_map(static fn (string $k): array => ['key' => $k], $keys));
        $out = [];
        foreach ($keys as $key) {
            $out[$key] = isset($found[$key]) ? ($this->unserialize)($found[$key]['value']) : $default;
        }

        return $out;
    }

    public function setMultiple($values, $ttl = null): bool
    {
        if (!is_iterable($values)) {
            throw new InvalidArgumentException(sprintf('cache values must be an iterable of key => value, got %s', get_debug_type($values)));
        }
        $timeout = $this->timeout($ttl);
        $items = [];
        foreach ($values as $key => $value) {
            // PHP turns numeric string keys of arrays into ints; PSR-16 callers mean the string.
            $items[] = ['key' => $this->key(is_int($key) ? (string) $key : $key), 'value' => ($this->serialize)($value), 'timeout' => $timeout ?? ''];
        }
        if ($items === []) {
            return true;
        }
        if ($timeout === null) {
            // PSR-16: a TTL of zero or less removes the items.
            $this->call('kv.Delete', array_map(static fn (array $i): array => ['key' => $i['key']], $items));

            return true;
        }
        $this->call('kv.Set', $items);

        return true;
    }

    public function deleteMultiple($keys): bool
    {
        $keys = $this->keys($keys);
        if ($keys !== []) {
            $this->call('kv.Delete', array_map(static fn (string $k): array => ['key' => $k], $keys));
        }

        return true;
    }

    public function has($key): bool
    {
        return isset($this->call('kv.Has', [['key' => $this->key($key)]])[$key]);
    }

    /** When the key expires; null when it has no expiry or does not exist. */
    public function getTtl(string $key): ?\DateTimeImmutable
    {
        return $this->getMultipleTtl([$key])[$key];
    }

    /**
     * @param iterable<string> $keys
     * @return array<string, ?\DateTimeImmutable>
     */
    public function getMultipleTtl(iterable $keys): array
    {
        $keys = $this->keys($keys);
        try {
            $found = $this->call('kv.TTL', array_map(static fn (string $k): array => ['key' => $k], $keys));
        } catch (KeyValueException $e) {
            if (str_contains($e->getMessage(), '_plugin_ttl')) {
                throw new NotImplementedException(sprintf('storage "%s" cannot report TTLs (its driver does not support kv.TTL)', $this->name), 0, $e);
            }
            throw $e;
        }
        $out = [];
        foreach ($keys as $key) {
            $t = $found[$key]['timeout'] ?? '';
            $out[$key] = $t === '' ? null : (\DateTimeImmutable::createFromFormat(\DateTimeInterface::RFC3339, $t, new \DateTimeZone('UTC')) ?: null);
        }

        return $out;
    }

    /**
     * Sets a new expiry on existing keys (kv.MExpire).
     *
     * @param iterable<string> $keys
     */
    public function expire(iterable $keys, int|\DateInterval $ttl): bool
    {
        $timeout = $this->timeout($ttl);
        $keys = $this->keys($keys);
        if ($timeout === null) {
            return $this->deleteMultiple($keys);
        }
        if ($keys !== []) {
            $this->call('kv.MExpire', array_map(static fn (string $k): array => ['key' => $k, 'timeout' => $timeout], $keys));
        }

        return true;
    }

    /**
     * @param list<array{key: string, value?: string, timeout?: string}> $items
     * @return array<string, array{value: string, timeout: string}>
     */
    private function call(string $method, array $items): array
    {
        try {
            return Proto::kvResponse($this->rpc->call($method, Proto::kvRequest($this->name, $items)));
        } catch (ServiceException $e) {
            $message = str_replace(["\t", "\n"], ' ', $e->getMessage());
            if (str_contains($message, 'no such storage')) {
                throw new StorageException(sprintf('storage "%s" is not defined: add it to the kv section of .rr.yaml (kv: { %1$s: { driver: memory } })', $this->name), 0, $e);
            }
            throw new KeyValueException($message, 0, $e);
        }
    }

    /** '' = no expiry, null = already expired (delete), else an RFC 3339 UTC time. */
    private function timeout(mixed $ttl): ?string
    {
        $now = new \DateTimeImmutable('now', new \DateTimeZone('UTC'));
        if ($ttl === null) {
            return '';
        }
        if ($ttl instanceof \DateInterval) {
            $at = $now->add($ttl);
        } elseif (is_int($ttl)) {
            $at = $now->setTimestamp($now->getTimestamp() + $ttl);
        } else {
            throw new InvalidArgumentException(sprintf('cache TTL must be null, an int (seconds) or a DateInterval, got %s', get_debug_type($ttl)));
        }

        return $at <= $now ? null : $at->format(\DateTimeInterface::RFC3339);
    }

    private function key(mixed $key): string
    {
        if (!is_string($key) || $key === '') {
            throw new InvalidArgumentException(sprintf('cache key must be a non-empty string, got %s', is_string($key) ? 'an empty string' : get_debug_type($key)));
        }
        if (strpbrk($key, '{}()/\\@:') !== false) {
            throw new InvalidArgumentException(sprintf('cache key "%s" contains a character PSR-16 reserves ({}()/\\@:)', $key));
        }

        return $key;
    }

    /** @return list<string> */
    private function keys(mixed $keys): array
    {
        if (!is_iterable($keys)) {
            throw new InvalidArgumentException(sprintf('cache keys must be an iterable of strings, got %s', get_debug_type($keys)));
        }
        $out = [];
        foreach ($keys as $key) {
            $out[] = $this->key($key);
        }

        return $out;
    }
}
