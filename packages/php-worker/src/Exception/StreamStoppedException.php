<?php

declare(strict_types=1);

namespace RR\Worker\Exception;

/**
 * The server cancelled the streamed response (usually because the HTTP client went away).
 * The terminating frame has already been sent when this is thrown.
 */
class StreamStoppedException extends \RuntimeException
{
}
