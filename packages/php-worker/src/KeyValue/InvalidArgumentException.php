<?php

declare(strict_types=1);

namespace RR\Worker\KeyValue;

// Debian's php-psr-simple-cache ships its own autoloader on the include path.
if (!interface_exists(\Psr\SimpleCache\CacheInterface::class)
    && ($psr = stream_resolve_include_path('Psr/SimpleCache/autoload.php')) !== false) {
    require_once $psr;
}

if (interface_exists(\Psr\SimpleCache\InvalidArgumentException::class)) {
    /** A key or TTL argument PSR-16 calls invalid. */
    class InvalidArgumentException extends KeyValueException implements \Psr\SimpleCache\InvalidArgumentException
    {
    }
} else {
    /** A key or TTL argument PSR-16 calls invalid. */
    class InvalidArgumentException extends KeyValueException
    {
    }
}
