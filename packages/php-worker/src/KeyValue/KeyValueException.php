<?php

declare(strict_types=1);

namespace RR\Worker\KeyValue;

// Debian's php-psr-simple-cache ships its own autoloader on the include path.
if (!interface_exists(\Psr\SimpleCache\CacheInterface::class)
    && ($psr = stream_resolve_include_path('Psr/SimpleCache/autoload.php')) !== false) {
    require_once $psr;
}

if (interface_exists(\Psr\SimpleCache\CacheException::class)) {
    /** Any failure of a kv call (the server's error text is in the message). */
    class KeyValueException extends \RuntimeException implements \Psr\SimpleCache\CacheException
    {
    }
} else {
    /** Any failure of a kv call (the server's error text is in the message). */
    class KeyValueException extends \RuntimeException
    {
    }
}
