<?php
// A jobs worker for the tests. The job name says what to do; every start and answer goes to the
// ledger file (RR_LEDGER), one JSON line each, so tests can count deliveries by job id.
declare(strict_types=1);

require $argv[1];

use RR\Worker\Jobs\Consumer;
use RR\Worker\Payload;

$ledger = getenv('RR_LEDGER');
$releaseDir = getenv('RR_RELEASE_DIR');
$log = static function (string $event, $task, array $extra = []) use ($ledger): void {
    file_put_contents($ledger, json_encode([
        'event' => $event, 'id' => $task->getId(), 'job' => $task->getName(), 'pid' => getmypid(),
        'pipeline' => $task->getPipeline(), 'driver' => $task->getDriver(), 'headers' => (object) $task->getHeaders(),
        'payload' => $task->getPayload(), 't' => microtime(true),
    ] + $extra) . "\n", FILE_APPEND | LOCK_EX);
};

$consumer = new Consumer();
while ($task = $consumer->waitTask()) {
    $log('start', $task);
    $attempt = (int) ($task->getHeaderLine('attempts') ?: '0');
    switch ($task->getName()) {
        case 'requeue3':
            if ($attempt < 3) {
                $task->withHeader('attempts', (string) ($attempt + 1))->withDelay(1)->requeue('again');
                $log('done', $task, ['reply' => 'requeue']);
                continue 2;
            }
            break;
        case 'nack':
            $task->nack('no thanks');
            $log('done', $task, ['reply' => 'nack']);
            continue 2;
        case 'nackRedeliver':
            // Headers do not travel with a nack: a marker file tells the redelivery apart.
            if (!file_exists($releaseDir . '/nacked-' . $task->getId())) {
                touch($releaseDir . '/nacked-' . $task->getId());
                $task->nack('once more', true);
                $log('done', $task, ['reply' => 'nack-redeliver']);
                continue 2;
            }
            break;
        case 'fail':
            $task->fail(new \RuntimeException('legacy failure'));
            $log('done', $task, ['reply' => 'fail']);
            continue 2;
        case 'failRequeue':
            if ($attempt === 0) {
                $task->withHeader('attempts', '1')->fail('legacy requeue', true);
                $log('done', $task, ['reply' => 'fail-requeue']);
                continue 2;
            }
            break;
        case 'legacyComplete':
            $task->complete();
            $log('done', $task, ['reply' => 'complete']);
            continue 2;
        case 'garbage':
            $consumer->getWorker()->respond(new Payload('not json'));
            $log('done', $task, ['reply' => 'garbage']);
            continue 2;
        case 'crash':
            exit(3);
        case 'crashOnce':
            if (!file_exists($releaseDir . '/crashed-' . $task->getId())) {
                touch($releaseDir . '/crashed-' . $task->getId());
                exit(3);
            }
            break;
        case 'slow':
            // Waits for the test to create the release file (bounded at 20 s).
            $until = microtime(true) + 20;
            while (!file_exists($releaseDir . '/release') && microtime(true) < $until) {
                usleep(5000);
            }
            break;
    }
    $task->ack();
    $log('done', $task, ['reply' => 'ack']);
}
