<?php

declare(strict_types=1);

/*
 * PSR-4 autoloader for the RR\Worker namespace, for applications that do not use Composer:
 *
 *     require '/path/to/packages/php-worker/src/autoload.php';
 *
 * Composer users get the same mapping from composer.json and need not include this file.
 * Requiring it twice is harmless.
 */

if (!defined('RR_WORKER_AUTOLOAD_REGISTERED')) {
    define('RR_WORKER_AUTOLOAD_REGISTERED', true);

    spl_autoload_register(static function (string $class): void {
        $prefix = 'RR\\Worker\\';
        if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
            return;
        }
        $relative = substr($class, strlen($prefix));
        $file = __DIR__ . '/' . str_replace('\\', '/', $relative) . '.php';
        if (is_file($file)) {
            require $file;
        }
    });
}
