<?php
// bench/jobs worker: acks every job and appends its end-to-end latency (push time in the payload).
declare(strict_types=1);

require $argv[1];

use RR\Worker\Jobs\Consumer;

$out = getenv('BENCH_LEDGER');
$consumer = new Consumer();
while ($task = $consumer->waitTask()) {
    $task->ack();
    file_put_contents($out, sprintf("%.6f %.6f\n", (float) $task->getPayload(), microtime(true)), FILE_APPEND);
}
