<?php

declare(strict_types=1);

/**
 * A real `php` worker process for tests. With the pipes relay its STDIN/STDOUT carry frames;
 * with socket relays the test accepts the connection itself (see SocketServer).
 */
final class WorkerProcess
{
    /** @var resource */
    private $process;
    /** @var array<int, resource> */
    private array $pipes;
    private string $stderr = '';
    private ?int $exitCode = null;
    public readonly int $pid;
    public readonly ?FrameConnection $relay;

    /**
     * @param array<string, string> $env
     */
    public function __construct(string $script, array $env = [], bool $pipesRelay = true)
    {
        $env += ['RR_RELAY' => 'pipes', 'RR_MODE' => 'http', 'PATH' => (string) getenv('PATH')];
        // An array command is executed directly, without a shell, so the pid is PHP's own.
        $process = proc_open(
            [PHP_BINARY, '-d', 'display_errors=stdout', $script],
            [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
            $pipes,
            dirname($script),
            $env,
        );
        if (!is_resource($process)) {
            fail("cannot start php $script");
        }
        $this->process = $process;
        $this->pipes = $pipes;
        $this->pid = proc_get_status($process)['pid'];
        stream_set_blocking($pipes[2], false);
        $this->relay = $pipesRelay ? new FrameConnection($pipes[1], $pipes[0]) : null;
        defer(fn () => $this->kill());
    }

    public function pipes(): FrameConnection
    {
        return $this->relay ?? fail('this worker does not use the pipes relay');
    }

    /** The STDOUT pipe (for socket relays, where it must stay silent). */
    public function stdout(): FrameConnection
    {
        return new FrameConnection($this->pipes[1], $this->pipes[0]);
    }

    /** Wait until STDERR contains `$needle`; returns all STDERR read so far. */
    public function waitStderr(string $needle, float $timeout = 5.0): string
    {
        $deadline = microtime(true) + $timeout;
        while (!str_contains($this->stderr, $needle)) {
            $remaining = $deadline - microtime(true);
            if ($remaining <= 0) {
                fail('timed out waiting for STDERR to contain ' . export($needle) . '; STDERR so far: ' . export($this->stderr));
            }
            $read = [$this->pipes[2]];
            $write = null;
            $except = null;
            if (stream_select($read, $write, $except, 0, (int) (min($remaining, 1.0) * 1_000_000)) > 0) {
                $chunk = fread($this->pipes[2], 65536);
                if ($chunk === '' && feof($this->pipes[2])) {
                    fail('the worker closed STDERR before writing ' . export($needle) . '; STDERR: ' . export($this->stderr));
                }
                $this->stderr .= (string) $chunk;
            }
        }

        return $this->stderr;
    }

    /**
     * Wait for the process to exit (its STDERR reaches EOF first), then return the exit code.
     */
    public function waitExit(float $timeout = 5.0): int
    {
        if ($this->exitCode !== null) {
            return $this->exitCode;
        }
        $deadline = microtime(true) + $timeout;
        while (!feof($this->pipes[2])) {
            $remaining = $deadline - microtime(true);
            if ($remaining <= 0) {
                fail('timed out waiting for the worker to exit; STDERR: ' . export($this->stderr));
            }
            $read = [$this->pipes[2]];
            $write = null;
            $except = null;
            if (stream_select($read, $write, $except, 0, (int) (min($remaining, 1.0) * 1_000_000)) > 0) {
                $this->stderr .= (string) fread($this->pipes[2], 65536);
            }
        }
        foreach ($this->pipes as $pipe) {
            if (is_resource($pipe)) {
                fclose($pipe);
            }
        }
        // STDERR is closed once the process is gone, so this returns at once.
        $this->exitCode = proc_close($this->process);

        return $this->exitCode;
    }

    public function stderr(): string
    {
        return $this->stderr;
    }

    public function kill(): void
    {
        if ($this->exitCode !== null) {
            return;
        }
        proc_terminate($this->process, 9);
        foreach ($this->pipes as $pipe) {
            if (is_resource($pipe)) {
                fclose($pipe);
            }
        }
        $this->exitCode = proc_close($this->process);
    }
}
