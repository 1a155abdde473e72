<?php
// Talks to rr's metrics RPC service the way spiral/roadrunner-metrics does (rr's PHP RPC class,
// JSON codec, service prefix "metrics"), then prints one JSON line: the replies and error texts.
declare(strict_types=1);

require __DIR__ . '/../../../../packages/php-worker/src/autoload.php';

use RR\Worker\RPC\RPC;
use RR\Worker\RPC\ServiceException;

$rpc = RPC::create()->withServicePrefix('metrics');
$out = [];
$try = static function (string $label, callable $fn) use (&$out): void {
    try {
        $out[$label] = $fn();
    } catch (ServiceException $e) {
        $out[$label] = 'error: ' . $e->getMessage();
    }
};

$collector = static fn (string $type, array $extra = []): array => array_merge(
    ['namespace' => '', 'subsystem' => '', 'type' => $type, 'help' => '', 'labels' => [], 'buckets' => []],
    $extra,
);

$try('declare_counter', fn () => $rpc->call('declare', ['name' => 'jobs_done', 'collector' => $collector('counter', ['namespace' => 'app', 'help' => 'Jobs done.', 'labels' => ['queue']])]));
$try('declare_gauge', fn () => $rpc->call('declare', ['name' => 'temperature', 'collector' => $collector('gauge')]));
$try('declare_histogram', fn () => $rpc->call('declare', ['name' => 'latency', 'collector' => $collector('histogram', ['buckets' => [0.1, 1.0, 10.0]])]));
// PHP truncates float array keys to integers: quantiles must be string keys.
$try('declare_summary', fn () => $rpc->call('declare', ['name' => 'payload', 'collector' => $collector('summary', ['objectives' => ['0.5' => 0.05, '0.9' => 0.01]])]));
$try('declare_again', fn () => $rpc->call('declare', ['name' => 'temperature', 'collector' => $collector('gauge')]));
$try('declare_doomed', fn () => $rpc->call('declare', ['name' => 'doomed', 'collector' => $collector('gauge')]));

$try('add', fn () => $rpc->call('add', ['name' => 'jobs_done', 'value' => 3, 'labels' => ['emails']]));
$try('add2', fn () => $rpc->call('add', ['name' => 'jobs_done', 'value' => 1.5, 'labels' => ['emails']]));
$try('set', fn () => $rpc->call('set', ['name' => 'temperature', 'value' => 21.5, 'labels' => []]));
$try('sub', fn () => $rpc->call('sub', ['name' => 'temperature', 'value' => 0.5, 'labels' => []]));
$try('observe', fn () => $rpc->call('observe', ['name' => 'latency', 'value' => 0.5, 'labels' => []]));
$try('observe_summary', fn () => $rpc->call('observe', ['name' => 'payload', 'value' => 100, 'labels' => []]));
$try('unregister', fn () => $rpc->call('unregister', 'doomed'));

$try('add_undefined', fn () => $rpc->call('add', ['name' => 'nope', 'value' => 1, 'labels' => []]));
$try('add_no_labels', fn () => $rpc->call('add', ['name' => 'jobs_done', 'value' => 1, 'labels' => []]));
$try('counter_down', fn () => $rpc->call('add', ['name' => 'jobs_done', 'value' => -1, 'labels' => ['emails']]));
$try('observe_gauge', fn () => $rpc->call('observe', ['name' => 'temperature', 'value' => 1, 'labels' => []]));
$try('unregister_again', fn () => $rpc->call('unregister', 'doomed'));

echo json_encode($out), "\n";
