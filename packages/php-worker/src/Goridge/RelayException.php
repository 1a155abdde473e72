<?php

declare(strict_types=1);

namespace RR\Worker\Goridge;

/**
 * The relay (pipes or socket) failed: it could not connect, was closed, or carried garbage.
 */
class RelayException extends \RuntimeException
{
}
