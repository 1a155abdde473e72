<?php

declare(strict_types=1);

namespace RR\Worker;

/**
 * Sends everything PHP would print to STDOUT (echo, print, var_dump, displayed errors) to STDERR
 * instead, so stray output cannot corrupt frames on the pipes relay. Frames themselves are
 * written straight to the STDOUT stream and bypass the output layer.
 */
final class StdoutInterceptor
{
    private static bool $registered = false;

    public static function register(): void
    {
        if (self::$registered) {
            return;
        }
        self::$registered = true;

        ini_set('display_errors', 'stderr');
        ini_set('html_errors', '0');

        $stderr = defined('STDERR') ? STDERR : fopen('php://stderr', 'wb');
        // Chunk size 1 flushes the buffer after every write, so output reaches STDERR at once
        // and in order with the library's own STDERR writes.
        ob_start(static function (string $chunk) use ($stderr): string {
            if ($chunk !== '' && $stderr !== false) {
                fwrite($stderr, $chunk);
            }

            return '';
        }, 1);
    }

    public static function isRegistered(): bool
    {
        return self::$registered;
    }
}
