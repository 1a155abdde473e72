<?php

declare(strict_types=1);

/**
 * A listening TCP (port 0) or unix socket standing in for the server's relay or RPC listener.
 */
final class SocketServer
{
    /** @var resource */
    private $server;
    public readonly string $address;
    private ?string $path = null;

    public function __construct(string $kind)
    {
        if ($kind === 'unix') {
            $this->path = sys_get_temp_dir() . '/rr-php-worker-' . getmypid() . '-' . bin2hex(random_bytes(4)) . '.sock';
            $listen = 'unix://' . $this->path;
        } else {
            $listen = 'tcp://127.0.0.1:0';
        }
        $server = @stream_socket_server($listen, $errno, $errstr);
        if ($server === false) {
            fail("cannot listen on $listen: $errstr");
        }
        $this->server = $server;
        $this->address = $kind === 'unix' ? $listen : 'tcp://' . stream_socket_get_name($server, false);
        defer(fn () => $this->close());
    }

    public function accept(float $timeout = 5.0): FrameConnection
    {
        $conn = @stream_socket_accept($this->server, $timeout);
        if ($conn === false) {
            fail("no connection on {$this->address} within {$timeout}s");
        }
        defer(static function () use ($conn): void {
            if (is_resource($conn)) {
                fclose($conn);
            }
        });

        return new FrameConnection($conn, $conn);
    }

    public function close(): void
    {
        if (is_resource($this->server)) {
            fclose($this->server);
        }
        if ($this->path !== null && file_exists($this->path)) {
            unlink($this->path);
        }
    }
}
