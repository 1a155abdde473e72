<?php

declare(strict_types=1);

namespace RR\Worker\Goridge;

/**
 * A bidirectional goridge frame transport.
 */
interface RelayInterface
{
    /**
     * Block until one whole frame has arrived.
     *
     * @throws RelayException when the relay is closed or carries something that is not a frame
     */
    public function waitFrame(): Frame;

    /**
     * Write one whole frame.
     *
     * @throws RelayException
     */
    public function send(Frame $frame): void;

    /**
     * Whether at least part of a frame can be read within `$timeout` seconds (0 = just poll).
     */
    public function hasFrame(float $timeout = 0.0): bool;

    /**
     * True for the pipes relay. RoadRunner's worker library only polls a "blocking" relay for
     * server frames while it waits for a PONG, and polls socket relays before every stream chunk.
     */
    public function isBlocking(): bool;

    public function close(): void;

    /**
     * The address the relay was created from, for messages (`pipes`, `tcp://127.0.0.1:6001`, ...).
     */
    public function __toString(): string;
}
