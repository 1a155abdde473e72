import { describe, expect, it } from 'vitest';
import type { WorkerInfo } from '@rr/pool-api';
import { workerListJson, workerStateJson } from './worker-state.js';

const worker: WorkerInfo = {
  pid: 4242, status: 'ready', numExecs: 17, createdAt: 1_718_630_000_123, memoryBytes: 31_457_280, cpuPercent: 1.5, command: '',
};

describe('informer worker JSON', () => {
  it('uses RoadRunner\'s process.State keys, status numbers and nanosecond timestamps', () => {
    expect(workerStateJson(worker)).toBe(
      '{"pid":4242,"status":1,"numExecs":17,"created":1718630000123000000,"memoryUsage":31457280,"CPUPercent":1.5,"command":"","statusStr":"ready"}',
    );
  });

  it('keeps created exact beyond 2^53', () => {
    const json = workerStateJson({ ...worker, createdAt: 1_718_630_000_999 });
    expect(json).toContain('"created":1718630000999000000,');
  });

  it('maps every state name to its RoadRunner number', () => {
    expect(JSON.parse(workerStateJson({ ...worker, status: 'execTTLReached' }))).toMatchObject({ status: 12, statusStr: 'execTTLReached' });
    expect(JSON.parse(workerStateJson({ ...worker, status: 'working' }))).toMatchObject({ status: 2 });
  });

  it('answers {"workers":null} for an unknown plugin, as RoadRunner does', () => {
    expect(workerListJson(undefined)).toBe('{"workers":null}');
    expect(workerListJson([])).toBe('{"workers":[]}');
  });
});
