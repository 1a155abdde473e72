<?php

declare(strict_types=1);

/*
 * Runs every tests/*.test.php file: `php tests/run.php [name-filter]`.
 * Prints one line per test and `N passed, M failed`; exits 1 when anything failed.
 */

error_reporting(E_ALL);
ini_set('display_errors', 'stderr');
set_error_handler(static function (int $severity, string $message, string $file, int $line): bool {
    if ((error_reporting() & $severity) === 0) {
        return false; // silenced with @
    }
    throw new \ErrorException($message, 0, $severity, $file, $line);
});

require __DIR__ . '/../src/autoload.php';
require __DIR__ . '/support/harness.php';
require __DIR__ . '/support/FrameConnection.php';
require __DIR__ . '/support/WorkerProcess.php';
require __DIR__ . '/support/SocketServer.php';

// Each test bounds its own waits; this is the backstop if something still blocks.
if (function_exists('pcntl_alarm')) {
    pcntl_async_signals(true);
    pcntl_signal(SIGALRM, static function (): void {
        fwrite(STDOUT, "the PHP test run exceeded 60 s; aborting\n0 passed, 1 failed\n");
        exit(2);
    });
    pcntl_alarm(60);
}

$filter = $argv[1] ?? '';
$files = glob(__DIR__ . '/*.test.php') ?: [];
sort($files);
foreach ($files as $file) {
    Registry::$file = basename($file);
    (static function (string $file): void {
        require $file;
    })($file);
}

$passed = 0;
$failed = 0;
$started = microtime(true);
foreach (Registry::$tests as $case) {
    $label = "{$case['file']} > {$case['name']}";
    if ($filter !== '' && !str_contains($label, $filter)) {
        continue;
    }
    $t = microtime(true);
    Registry::$cleanups = [];
    try {
        ($case['fn'])();
        $passed++;
        printf("ok   %s (%d ms)\n", $label, (microtime(true) - $t) * 1000);
    } catch (\Throwable $e) {
        $failed++;
        $where = $e instanceof AssertionFailed ? '' : sprintf(' [%s at %s:%d]', get_class($e), basename($e->getFile()), $e->getLine());
        printf("FAIL %s: %s%s\n", $label, $e->getMessage(), $where);
    } finally {
        foreach (array_reverse(Registry::$cleanups) as $cleanup) {
            try {
                $cleanup();
            } catch (\Throwable) {
            }
        }
    }
}

printf("%d passed, %d failed (%.1f s)\n", $passed, $failed, microtime(true) - $started);
exit($failed > 0 || $passed === 0 ? 1 : 0);
