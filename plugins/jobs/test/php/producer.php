<?php
// Producer for the tests: runs a JSON list of operations with rr's PHP jobs API, prints the results.
declare(strict_types=1);

require $argv[1];

use RR\Worker\Jobs\Jobs;
use RR\Worker\Jobs\Options;

$jobs = new Jobs();
$out = [];
foreach (json_decode($argv[2], true, 512, JSON_THROW_ON_ERROR) as $op) {
    try {
        $opts = new Options((int) ($op['priority'] ?? 0), (int) ($op['delay'] ?? 0), (bool) ($op['autoAck'] ?? false), $op['headers'] ?? []);
        switch ($op['op']) {
            case 'push':
                $out[] = $jobs->connect($op['pipeline'])->push($op['name'], $op['payload'] ?? '', $opts, $op['id'] ?? null);
                break;
            case 'pushMany':
                $q = $jobs->connect($op['pipeline']);
                for ($i = 0; $i < $op['count']; $i++) {
                    $q->push($op['name'], (string) $i, $opts, ($op['prefix'] ?? 'j') . $i);
                }
                $out[] = $op['count'];
                break;
            case 'pushBatch':
                $batch = [];
                for ($i = 0; $i < $op['count']; $i++) {
                    $batch[] = [$op['name'], (string) $i, $opts, ($op['prefix'] ?? 'b') . $i];
                }
                $out[] = count($jobs->connect($op['pipeline'])->pushBatch($batch));
                break;
            case 'pause':
                $jobs->pause(...$op['pipelines']);
                $out[] = true;
                break;
            case 'resume':
                $jobs->resume(...$op['pipelines']);
                $out[] = true;
                break;
            case 'destroy':
                $out[] = $jobs->destroy(...$op['pipelines']);
                break;
            case 'list':
                $out[] = $jobs->list();
                break;
            case 'stat':
                $out[] = $jobs->stat();
                break;
            case 'isPaused':
                $out[] = $jobs->connect($op['pipeline'])->isPaused();
                break;
            case 'declare':
                $jobs->create($op['name'], $op['driver'], $op['config'] ?? []);
                $out[] = true;
                break;
            default:
                throw new \InvalidArgumentException('unknown op ' . $op['op']);
        }
    } catch (\Throwable $e) {
        $out[] = ['error' => get_class($e) . ': ' . $e->getMessage()];
    }
}
echo json_encode($out);
