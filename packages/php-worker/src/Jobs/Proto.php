<?php

declare(strict_types=1);

namespace RR\Worker\Jobs;

use RR\Worker\KeyValue\Proto as Wire;

/**
 * jobs.v1 (RoadRunner\Jobs\DTO\V1) encoded by hand: PushRequest, PushBatchRequest, Job, Options,
 * HeaderValue, DeclareRequest, Pipelines, Stats. Field numbers are those of RoadRunner's .proto.
 */
final class Proto
{
    /**
     * Job { string job = 1; string id = 2; bytes payload = 3; map<string, HeaderValue> headers = 4; Options options = 5; }
     * Options { int64 priority = 1; string pipeline = 2; int64 delay = 3; bool auto_ack = 6; }
     *
     * @param array<string, list<string>> $headers
     */
    public static function job(string $name, string $id, string $payload, array $headers, string $pipeline, Options $options): string
    {
        $out = ($name === '' ? '' : Wire::bytesField(1, $name)) . Wire::bytesField(2, $id);
        if ($payload !== '') {
            $out .= Wire::bytesField(3, $payload);
        }
        foreach ($headers as $key => $values) {
            if ($values === []) {
                continue;
            }
            $value = '';
            foreach ($values as $v) {
                $value .= Wire::bytesField(1, (string) $v);
            }
            $out .= Wire::bytesField(4, Wire::bytesField(1, (string) $key) . Wire::bytesField(2, $value));
        }
        $opts = '';
        if ($options->priority !== 0) {
            $opts .= Wire::varintField(1, $options->priority);
        }
        $opts .= Wire::bytesField(2, $pipeline);
        if ($options->delay !== 0) {
            $opts .= Wire::varintField(3, $options->delay);
        }
        if ($options->autoAck) {
            $opts .= Wire::varintField(6, 1);
        }

        return $out . Wire::bytesField(5, $opts);
    }

    public static function pushRequest(string $job): string
    {
        return Wire::bytesField(1, $job);
    }

    /** @param list<string> $jobs encoded Job messages */
    public static function pushBatchRequest(array $jobs): string
    {
        return implode('', array_map(static fn (string $j): string => Wire::bytesField(1, $j), $jobs));
    }

    /** @param list<string> $names */
    public static function pipelines(array $names): string
    {
        return implode('', array_map(static fn (string $n): string => Wire::bytesField(1, $n), $names));
    }

    /** @return list<string> */
    public static function decodePipelines(string $bytes): array
    {
        $out = [];
        foreach (Wire::fields($bytes) as [$field, $value]) {
            if ($field === 1 && is_string($value)) {
                $out[] = $value;
            }
        }

        return $out;
    }

    /** DeclareRequest { map<string, string> pipeline = 1; } @param array<string, string> $pipeline */
    public static function declareRequest(array $pipeline): string
    {
        $out = '';
        foreach ($pipeline as $k => $v) {
            $out .= Wire::bytesField(1, Wire::bytesField(1, (string) $k) . Wire::bytesField(2, $v));
        }

        return $out;
    }

    /**
     * Stats { repeated Stat stats = 1; }
     * Stat { string pipeline = 1; string driver = 2; string queue = 3; int64 active = 4; int64 delayed = 5;
     *        int64 reserved = 6; bool ready = 7; uint64 priority = 8; }
     *
     * @return list<array{pipeline: string, driver: string, queue: string, active: int, delayed: int, reserved: int, ready: bool, priority: int}>
     */
    public static function decodeStats(string $bytes): array
    {
        $names = [1 => 'pipeline', 2 => 'driver', 3 => 'queue', 4 => 'active', 5 => 'delayed', 6 => 'reserved', 7 => 'ready', 8 => 'priority'];
        $out = [];
        foreach (Wire::fields($bytes) as [$field, $value]) {
            if ($field !== 1 || !is_string($value)) {
                continue;
            }
            $stat = ['pipeline' => '', 'driver' => '', 'queue' => '', 'active' => 0, 'delayed' => 0, 'reserved' => 0, 'ready' => false, 'priority' => 0];
            foreach (Wire::fields($value) as [$f, $v]) {
                if (!isset($names[$f])) {
                    continue;
                }
                $stat[$names[$f]] = $f === 7 ? $v !== 0 : $v;
            }
            $out[] = $stat;
        }

        return $out;
    }
}
