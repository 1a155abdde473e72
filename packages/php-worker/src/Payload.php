<?php

declare(strict_types=1);

namespace RR\Worker;

/**
 * One unit of work or of a reply: a context ("header", usually JSON) and a body.
 *
 * On the wire the frame payload is `header ‖ body`, with the header length in option 0.
 */
final class Payload
{
    /**
     * @param bool $eos end of stream: false marks a streamed chunk that more chunks will follow
     * @param int $flags the goridge flags the frame arrived with (codec bits); 0 for outgoing payloads
     */
    public function __construct(
        public readonly string $body = '',
        public readonly string $header = '',
        public readonly bool $eos = true,
        public readonly int $flags = 0,
    ) {
    }
}
