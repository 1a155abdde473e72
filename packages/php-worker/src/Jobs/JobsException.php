<?php

declare(strict_types=1);

namespace RR\Worker\Jobs;

/** A jobs RPC call failed, or a task could not be read or answered. */
class JobsException extends \RuntimeException
{
}
