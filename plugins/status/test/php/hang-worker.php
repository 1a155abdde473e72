<?php
// A worker on rr's PHP library that echoes, except for a request whose context is "hang:<file>":
// it says "hanging" on STDERR (rr logs it, the test waits for that line) and answers only once
// <file> exists, so a test decides exactly when the worker is busy and when it is free again.
declare(strict_types=1);

require __DIR__ . '/../../../../packages/php-worker/src/autoload.php';

use RR\Worker\Payload;
use RR\Worker\Worker;

$worker = Worker::create();
while ($payload = $worker->waitPayload()) {
    if (str_starts_with($payload->header, 'hang:')) {
        $release = substr($payload->header, 5);
        fwrite(STDERR, "hanging\n");
        while (!file_exists($release)) {
            usleep(10_000);
        }
        $worker->respond(new Payload('released'));
        continue;
    }
    $worker->respond(new Payload($payload->body, $payload->header));
}
