<?php

declare(strict_types=1);

namespace RR\Worker\KeyValue;

/** The storage's driver cannot do this (memcached has no TTL lookup). */
class NotImplementedException extends KeyValueException
{
}
