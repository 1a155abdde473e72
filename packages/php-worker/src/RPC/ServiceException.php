<?php

declare(strict_types=1);

namespace RR\Worker\RPC;

/**
 * The server executed the call and reported an error (reply frame with the ERROR flag).
 * The message has the form `Error '<server text>' on <relay address>`.
 */
class ServiceException extends RPCException
{
}
