<?php

declare(strict_types=1);

namespace RR\Worker;

use RR\Worker\Exception\StreamStoppedException;

interface WorkerInterface
{
    /**
     * Wait for the next payload; answers control frames on the way. Returns null when the server
     * asks the worker to stop: the caller should then leave its loop and exit.
     */
    public function waitPayload(): ?Payload;

    /**
     * Send a reply, or one chunk of a streamed reply when `$payload->eos` is false.
     *
     * @param int $codec flags to put on the frame, e.g. Frame::CODEC_JSON; 0 for none
     * @throws StreamStoppedException when the server cancelled the stream this chunk belongs to
     */
    public function respond(Payload $payload, int $codec = 0): void;

    /**
     * Report a failure for the current payload (soft error: the worker stays alive).
     */
    public function error(string $message): void;

    /**
     * Ask the server to replace this worker; it re-runs the current payload elsewhere and then
     * sends the stop command, so keep calling waitPayload() until it returns null.
     */
    public function stop(): void;
}
