// Test helpers for plugins serving HTTP endpoints from worker information (metrics, status):
// a plugin with fake workers, a real kernel, the port a plugin logged, and a plain GET.
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { createKernel, createMemoryLogging, validateSection, type Kernel } from '@rr/kernel';
import { definePlugin, type AnyPlugin } from '@rr/plugin-api';
import type { WorkerInfo, WorkerStateName } from '@rr/pool-api';
import { informerSourcesToken } from '@rr/rpc-api';

/** A plugin named `name` whose workers are whatever `states` holds at the time of the check. */
export function fakeWorkerPlugin(name: string, states: { current: WorkerStateName[] }, hooks: { stop?: () => Promise<void> } = {}): AnyPlugin {
  return definePlugin({
    name,
    kernel: '^0.1.0',
    contributes: [informerSourcesToken],
    init(ctx) {
      const workers = (): WorkerInfo[] => states.current.map((status, i) => ({
        pid: 1000 + i, status, numExecs: 0, createdAt: Date.now(), memoryBytes: 1024 * (i + 1), cpuPercent: 0, command: '',
      }));
      ctx.contribute(informerSourcesToken, { plugin: name, workers });
      return { stop: hooks.stop };
    },
  });
}

export function testKernel(plugins: AnyPlugin[], data: Record<string, unknown>): { kernel: Kernel; logs: ReturnType<typeof createMemoryLogging> } {
  const logs = createMemoryLogging();
  const dir = tmpdir();
  const kernel = createKernel({
    entries: plugins.map((p) => ({ plugin: p, source: 'builtin' as const, packageName: `test-${p.name}`, packageVersion: '0.0.0' })),
    config: { file: `${dir}/.rr.yaml`, dir, data: { version: '3', ...data }, experimental: false },
    loggers: logs,
    version: '2026.1.0-test',
    validateSection,
  });
  return { kernel, logs };
}

/** The port a plugin logged in its `<what> server started` debug record. */
export function loggedPort(logs: ReturnType<typeof createMemoryLogging>, msg: string): number {
  const rec = logs.records.find((r) => r.msg === msg);
  if (rec === undefined) throw new Error(`no "${msg}" record`);
  return rec.fields.port as number;
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export function get(port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
