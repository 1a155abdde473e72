<?php

declare(strict_types=1);

namespace RR\Worker\Exception;

/**
 * The server sent something the worker cannot interpret (e.g. an unknown control command).
 */
class WorkerException extends \RuntimeException
{
}
