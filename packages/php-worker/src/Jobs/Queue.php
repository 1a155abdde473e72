<?php

declare(strict_types=1);

namespace RR\Worker\Jobs;

/** One pipeline, seen from a producer: push jobs to it, pause/resume it, read its state. */
final class Queue
{
    public function __construct(private readonly Jobs $jobs, private readonly string $pipeline)
    {
    }

    public function getName(): string
    {
        return $this->pipeline;
    }

    /**
     * Pushes one job; returns its id (a random UUID v4, or `$id` when given). The call returns once the
     * pipeline's driver has the job.
     */
    public function push(string $name, string $payload = '', ?Options $options = null, ?string $id = null): string
    {
        $options ??= new Options();
        $id ??= Jobs::uuid();
        $this->jobs->call('jobs.Push', Proto::pushRequest(Proto::job($name, $id, $payload, $options->headers, $this->pipeline, $options)));

        return $id;
    }

    /**
     * Pushes many jobs in one call (jobs.PushBatch).
     *
     * @param list<array{0: string, 1?: string, 2?: Options|null, 3?: string|null}> $jobs [name, payload, options, id]
     * @return list<string> the ids
     */
    public function pushBatch(array $jobs): array
    {
        $ids = [];
        $encoded = [];
        foreach ($jobs as $job) {
            $options = $job[2] ?? new Options();
            $id = $job[3] ?? Jobs::uuid();
            $ids[] = $id;
            $encoded[] = Proto::job($job[0], $id, $job[1] ?? '', $options->headers, $this->pipeline, $options);
        }
        $this->jobs->call('jobs.PushBatch', Proto::pushBatchRequest($encoded));

        return $ids;
    }

    public function pause(): void
    {
        $this->jobs->pause($this->pipeline);
    }

    public function resume(): void
    {
        $this->jobs->resume($this->pipeline);
    }

    /** @return array{pipeline: string, driver: string, queue: string, active: int, delayed: int, reserved: int, ready: bool, priority: int} */
    public function getPipelineStat(): array
    {
        foreach ($this->jobs->stat() as $stat) {
            if ($stat['pipeline'] === $this->pipeline) {
                return $stat;
            }
        }
        throw new JobsException(sprintf('pipeline "%s" is not in jobs.Stat', $this->pipeline));
    }

    public function isPaused(): bool
    {
        return !$this->getPipelineStat()['ready'];
    }
}
