<?php

declare(strict_types=1);

namespace RR\Worker\Jobs;

use RR\Worker\KeyValue\ProtobufCodec;
use RR\Worker\RPC\RPC;
use RR\Worker\RPC\RPCException;

/**
 * Producer side of rr's jobs plugin, over RPC (`RR_RPC`) with protobuf jobs.v1, as
 * spiral/roadrunner-jobs speaks it:
 *
 * ```php
 * $jobs = new Jobs();                              // RPC::create(): RR_RPC, default tcp://127.0.0.1:6001
 * $id = $jobs->connect('emails')->push('App\\SendMail', json_encode($mail), (new Options())->withDelay(10));
 * $jobs->pause('emails'); $jobs->resume('emails');
 * ```
 */
final class Jobs
{
    private readonly RPC $rpc;

    public function __construct(?RPC $rpc = null)
    {
        $this->rpc = ($rpc ?? RPC::create())->withCodec(new ProtobufCodec());
    }

    public function connect(string $pipeline): Queue
    {
        return new Queue($this, $pipeline);
    }

    /** Declares a pipeline at runtime (jobs.Declare): name, driver, and driver options. It starts consuming at once. */
    public function create(string $name, string $driver, array $config = []): Queue
    {
        $map = ['name' => $name, 'driver' => $driver];
        foreach ($config as $k => $v) {
            $map[(string) $k] = is_string($v) ? $v : json_encode($v, JSON_THROW_ON_ERROR);
        }
        $this->call('jobs.Declare', Proto::declareRequest($map));

        return $this->connect($name);
    }

    public function pause(string ...$pipelines): void
    {
        $this->call('jobs.Pause', Proto::pipelines(array_values($pipelines)));
    }

    public function resume(string ...$pipelines): void
    {
        $this->call('jobs.Resume', Proto::pipelines(array_values($pipelines)));
    }

    /** @return list<string> the pipelines destroyed */
    public function destroy(string ...$pipelines): array
    {
        return Proto::decodePipelines($this->call('jobs.Destroy', Proto::pipelines(array_values($pipelines))));
    }

    /** @return list<string> */
    public function list(): array
    {
        return Proto::decodePipelines($this->call('jobs.List', ''));
    }

    /** @return list<array{pipeline: string, driver: string, queue: string, active: int, delayed: int, reserved: int, ready: bool, priority: int}> */
    public function stat(): array
    {
        return Proto::decodeStats($this->call('jobs.Stat', ''));
    }

    /** @internal used by Queue */
    public function call(string $method, string $body): string
    {
        try {
            return (string) $this->rpc->call($method, $body);
        } catch (RPCException $e) {
            throw new JobsException(sprintf('%s failed: %s', $method, $e->getMessage()), 0, $e);
        }
    }

    public static function uuid(): string
    {
        $b = random_bytes(16);
        $b[6] = chr((ord($b[6]) & 0x0f) | 0x40);
        $b[8] = chr((ord($b[8]) & 0x3f) | 0x80);
        $h = bin2hex($b);

        return sprintf('%s-%s-%s-%s-%s', substr($h, 0, 8), substr($h, 8, 4), substr($h, 12, 4), substr($h, 16, 4), substr($h, 20));
    }
}
