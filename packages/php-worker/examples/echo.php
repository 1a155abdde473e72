<?php

/**
 * Raw worker: answers every payload with the same context and body it received.
 * Run by the server with any relay (RR_RELAY); exits when the server sends the stop command.
 */

declare(strict_types=1);

require __DIR__ . '/../src/autoload.php';

use RR\Worker\Payload;
use RR\Worker\Worker;

$worker = Worker::create();

while ($payload = $worker->waitPayload()) {
    $worker->respond(new Payload($payload->body, $payload->header));
}
