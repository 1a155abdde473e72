<?php

declare(strict_types=1);

namespace RR\Worker\Goridge;

/**
 * A frame could not be encoded or the bytes read are not a valid goridge frame.
 */
class FrameException extends RelayException
{
}
