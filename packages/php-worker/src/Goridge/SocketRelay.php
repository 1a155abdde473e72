<?php

declare(strict_types=1);

namespace RR\Worker\Goridge;

/**
 * TCP or unix-socket relay. The connection is opened lazily, on the first read or write, as
 * RoadRunner's own library does; the server then sends the pid control frame on accept.
 */
final class SocketRelay extends AbstractStreamRelay
{
    /** @var resource|null */
    private $socket = null;

    /**
     * @param float $connectTimeout seconds per connection attempt
     * @param int $connectAttempts RoadRunner's library retries too: a listener may lag its spawn
     */
    public function __construct(
        private readonly string $address,
        private readonly float $connectTimeout = 5.0,
        private readonly int $connectAttempts = 10,
    ) {
        if (!preg_match('#^(tcp://[^:/\s]+:\d{1,5}|unix://.+)$#i', $address)) {
            throw new RelayException(sprintf(
                'unsupported socket relay address "%s": use tcp://HOST:PORT (explicit host) or unix:///path/to.sock',
                $address,
            ));
        }
    }

    public function isBlocking(): bool
    {
        return false;
    }

    public function isConnected(): bool
    {
        return $this->socket !== null;
    }

    public function connect(): void
    {
        if ($this->socket !== null) {
            return;
        }
        $context = stream_context_create(['socket' => ['tcp_nodelay' => true]]);
        $error = '';
        for ($attempt = 1; $attempt <= $this->connectAttempts; $attempt++) {
            $errno = 0;
            $errstr = '';
            $socket = @stream_socket_client($this->address, $errno, $errstr, $this->connectTimeout, STREAM_CLIENT_CONNECT, $context);
            if ($socket !== false) {
                stream_set_blocking($socket, true);
                stream_set_timeout($socket, 86400 * 365);
                @stream_set_write_buffer($socket, 0);
                $this->socket = $socket;

                return;
            }
            $error = $errstr !== '' ? "$errstr (errno $errno)" : "errno $errno";
            if ($attempt < $this->connectAttempts) {
                // Back off briefly: the server normally listens before it spawns us.
                usleep(10_000 * $attempt);
            }
        }

        throw new RelayException(sprintf(
            'cannot connect to the relay %s after %d attempts: %s; check that the server listens there (RR_RELAY)',
            $this->address,
            $this->connectAttempts,
            $error,
        ));
    }

    public function close(): void
    {
        if ($this->socket !== null) {
            @fclose($this->socket);
            $this->socket = null;
        }
    }

    public function __toString(): string
    {
        return $this->address;
    }

    protected function input()
    {
        $this->connect();
        assert($this->socket !== null);

        return $this->socket;
    }

    protected function output()
    {
        return $this->input();
    }
}
