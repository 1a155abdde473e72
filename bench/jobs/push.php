<?php
// bench/jobs producer: pushes N jobs to a pipeline over RPC (one jobs.Push each, or PushBatch of
// `batch`), each payload the push time; prints the push rate.
declare(strict_types=1);

require $argv[1];

use RR\Worker\Jobs\Jobs;

[$pipeline, $n, $batch] = [$argv[2], (int) $argv[3], (int) $argv[4]];
$q = (new Jobs())->connect($pipeline);
$t0 = microtime(true);
if ($batch <= 1) {
    for ($i = 0; $i < $n; $i++) {
        $q->push('Bench', sprintf('%.6f', microtime(true)));
    }
} else {
    for ($i = 0; $i < $n; $i += $batch) {
        $jobs = [];
        for ($j = 0; $j < $batch && $i + $j < $n; $j++) {
            $jobs[] = ['Bench', sprintf('%.6f', microtime(true))];
        }
        $q->pushBatch($jobs);
    }
}
echo json_encode(['seconds' => microtime(true) - $t0]);
