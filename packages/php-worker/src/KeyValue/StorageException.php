<?php

declare(strict_types=1);

namespace RR\Worker\KeyValue;

/** The storage is not defined in the server's `kv` section. */
class StorageException extends KeyValueException
{
}
