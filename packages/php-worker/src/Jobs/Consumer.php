<?php

declare(strict_types=1);

namespace RR\Worker\Jobs;

use RR\Worker\Worker;

/**
 * Consumer side: a PHP worker of rr's jobs pool (RR_MODE=jobs) takes one task at a time.
 *
 * ```php
 * $consumer = new Consumer();
 * while ($task = $consumer->waitTask()) {
 *     try { handle($task->getName(), $task->getPayload()); $task->ack(); }
 *     catch (\Throwable $e) { $task->nack($e); }
 * }
 * ```
 */
final class Consumer
{
    private readonly Worker $worker;

    public function __construct(?Worker $worker = null)
    {
        $this->worker = $worker ?? Worker::create();
    }

    public function getWorker(): Worker
    {
        return $this->worker;
    }

    /** The next task, or null when rr asks the worker to stop. */
    public function waitTask(): ?ReceivedTask
    {
        $payload = $this->worker->waitPayload();
        if ($payload === null) {
            return null;
        }
        if ($payload->header === '') {
            throw new JobsException('Task payload does not have a valid header: rr sent a job without its context JSON');
        }
        try {
            $context = json_decode($payload->header, true, 512, JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw new JobsException('Task payload does not have a valid header: ' . $e->getMessage(), 0, $e);
        }
        if (!is_array($context)) {
            throw new JobsException('Task payload does not have a valid header: the context is not a JSON object');
        }

        return new ReceivedTask($this->worker, $payload->body, $context);
    }
}
