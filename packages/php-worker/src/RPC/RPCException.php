<?php

declare(strict_types=1);

namespace RR\Worker\RPC;

/**
 * The RPC exchange itself failed: bad reply frame, codec problem, broken relay.
 */
class RPCException extends \RuntimeException
{
}
