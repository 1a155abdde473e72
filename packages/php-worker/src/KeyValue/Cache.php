<?php

declare(strict_types=1);

namespace RR\Worker\KeyValue;

// Debian's php-psr-simple-cache ships its own autoloader on the include path; load it when no
// Composer autoloader has provided the interface already.
if (!interface_exists(\Psr\SimpleCache\CacheInterface::class)
    && ($psr = stream_resolve_include_path('Psr/SimpleCache/autoload.php')) !== false) {
    require_once $psr;
}

if (interface_exists(\Psr\SimpleCache\CacheInterface::class)) {
    /**
     * A PSR-16 cache on one storage of rr's kv section:
     * `Factory::create()->select('cache')->set('k', $v, 60)`.
     */
    final class Cache implements \Psr\SimpleCache\CacheInterface
    {
        use CacheOperations;
    }
} else {
    /** The same cache without the PSR-16 interface (psr/simple-cache is not installed). */
    final class Cache
    {
        use CacheOperations;
    }
}
