<?php

declare(strict_types=1);

/*
 * Minimal test harness: test() registers a case, the assert*() helpers throw AssertionFailed.
 * run.php includes every tests/*.test.php file and runs what they registered.
 */

final class AssertionFailed extends \Exception
{
}

final class Registry
{
    /** @var list<array{name: string, fn: callable, file: string}> */
    public static array $tests = [];
    public static string $file = '';
    /** @var list<callable> run after each test, whatever its outcome */
    public static array $cleanups = [];
}

function test(string $name, callable $fn): void
{
    Registry::$tests[] = ['name' => $name, 'fn' => $fn, 'file' => Registry::$file];
}

/** Register a cleanup for the running test (processes, sockets, temp files). */
function defer(callable $fn): void
{
    Registry::$cleanups[] = $fn;
}

function export(mixed $value): string
{
    if (is_string($value)) {
        return strlen($value) > 400 ? json_encode(substr($value, 0, 400)) . '…' : (json_encode($value, JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE) ?: bin2hex($value));
    }

    return str_replace("\n", ' ', var_export($value, true));
}

function fail(string $message): never
{
    throw new AssertionFailed($message);
}

function assertSame(mixed $expected, mixed $actual, string $what = ''): void
{
    if ($expected !== $actual) {
        fail(($what !== '' ? "$what: " : '') . 'expected ' . export($expected) . ', got ' . export($actual));
    }
}

function assertTrue(bool $condition, string $what): void
{
    if (!$condition) {
        fail($what);
    }
}

function assertContains(string $needle, string $haystack, string $what = ''): void
{
    if (!str_contains($haystack, $needle)) {
        fail(($what !== '' ? "$what: " : '') . 'expected ' . export($haystack) . ' to contain ' . export($needle));
    }
}

/**
 * @param class-string<\Throwable> $class
 */
function assertThrows(string $class, callable $fn, string $messageContains = ''): \Throwable
{
    try {
        $fn();
    } catch (\Throwable $e) {
        if (!$e instanceof $class) {
            fail("expected $class, got " . get_class($e) . ': ' . $e->getMessage());
        }
        if ($messageContains !== '') {
            assertContains($messageContains, $e->getMessage(), 'exception message');
        }

        return $e;
    }
    fail("expected $class to be thrown, nothing was");
}

function assertFalse(bool $condition, string $what): void
{
    if ($condition) {
        fail($what);
    }
}
