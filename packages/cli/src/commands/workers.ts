import type { RpcClient } from '@rr/goridge';
import type { ParsedArgs } from '../args.js';
import { colorEnabled, palette, type Paint } from '../colors.js';
import { humanBytes, humanComma, humanSince } from '../humanize.js';
import { connectRpc, errorText, findRpcTarget } from '../rpc-client.js';
import { renderTable } from '../table.js';

/** One worker as `informer.Workers` returns it (RoadRunner's process.State JSON). */
interface WorkerState {
  pid: number;
  status: number;
  numExecs: number;
  /** Unix nanoseconds. */
  created: number;
  memoryUsage: number;
  CPUPercent: number;
  command: string;
  statusStr: string;
}

/** One pipeline as `informer.Jobs` returns it (RoadRunner's jobs.State, no JSON tags). */
interface JobState {
  Pipeline?: string;
  Driver?: string;
  Queue?: string;
  Active?: number;
  Delayed?: number;
  Reserved?: number;
  Ready?: boolean;
}

/**
 * `rr workers [plugin…] [-i]`: the workers (and jobs pipelines) of every plugin the informer knows,
 * or of the named ones. `-i` redraws every second until SIGINT/SIGTERM. `-s` is ignored, as in
 * RoadRunner.
 */
export async function workers(args: ParsedArgs): Promise<number> {
  const target = await findRpcTarget(args.flags);
  const client = await connectRpc(target);
  try {
    let plugins = args.positionals.slice(1);
    if (plugins.length === 0) plugins = (await client.callJson<string[] | null>('informer.List', true, { timeoutMs: 30_000 })) ?? [];
    const colors = palette(colorEnabled());
    if (args.extra['interactive'] !== true) {
      process.stdout.write(await renderWorkers(client, plugins, colors));
      return 0;
    }
    return await interactive(() => renderWorkers(client, plugins, colors));
  } finally {
    client.close();
  }
}

/** Redraws in place once a second; resolves 0 on SIGINT/SIGTERM. */
async function interactive(render: () => Promise<string>): Promise<number> {
  const out = process.stdout;
  let stopped = false;
  let wake: (() => void) | undefined;
  const stop = (): void => {
    stopped = true;
    wake?.();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    out.write('\u001b[2J');
    while (!stopped) {
      const text = await render();
      if (stopped) break;
      // Home, draw, then clear whatever the previous (longer) frame left below.
      out.write(`\u001b[1;1H${text}\u001b[J`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        wake = () => { clearTimeout(timer); resolve(); };
      });
    }
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** The tables for every plugin, as one string (so an interactive redraw is one write). */
export async function renderWorkers(client: RpcClient, plugins: readonly string[], colors: ReturnType<typeof palette>): Promise<string> {
  let text = '';
  const now = Date.now();
  for (const plugin of plugins) {
    let list: WorkerState[] | null;
    try {
      list = (await client.callJson<{ workers: WorkerState[] | null }>('informer.Workers', plugin, { timeoutMs: 30_000 }))?.workers ?? null;
    } catch (err) {
      text += renderTable(WORKER_HEADERS, [['0', `failed to receive information about ${plugin} plugin: ${errorText(err)}`, 'ERROR', 'ERROR', 'ERROR', 'ERROR']]);
      continue;
    }
    if (list === null || list.length === 0) continue;
    text += `Workers of [${colors.hiYellow(plugin)}]:\n`;
    const sorted = [...list].sort((a, b) => a.pid - b.pid);
    if (plugin === 'service') {
      text += renderTable(['PID', 'Memory', 'CPU%', 'Command'],
        sorted.map((w) => [String(w.pid), humanBytes(w.memoryUsage), w.CPUPercent.toFixed(2), w.command]));
      continue;
    }
    text += renderTable(WORKER_HEADERS, sorted.map((w) => [
      String(w.pid),
      statusCell(w.statusStr, colors),
      humanComma(w.numExecs),
      humanBytes(w.memoryUsage),
      Number(w.CPUPercent ?? 0).toFixed(2),
      // created is nanoseconds; dividing keeps millisecond precision, plenty for "5 minutes ago".
      humanSince(w.created / 1e6, now),
    ]), [7, 9, 7, 7, 7, 18]);
  }
  for (const plugin of plugins) {
    let jobs: JobState[] | null;
    try {
      jobs = await client.callJson<JobState[] | null>('informer.Jobs', plugin, { timeoutMs: 30_000 });
    } catch (err) {
      text += renderTable(JOB_HEADERS, [[`failed to receive information about ${plugin} plugin: ${errorText(err)}`, 'ERROR', 'ERROR', 'ERROR', 'ERROR', 'ERROR', 'ERROR']]);
      continue;
    }
    if (!Array.isArray(jobs) || jobs.length === 0) continue;
    text += `Jobs of [${colors.hiYellow(plugin)}]:\n`;
    const sorted = [...jobs].sort((a, b) => String(a.Pipeline ?? '').localeCompare(String(b.Pipeline ?? '')));
    text += renderTable(JOB_HEADERS, sorted.map((j) => [
      j.Ready === true ? 'READY' : 'PAUSED/STOPPED',
      String(j.Pipeline ?? ''),
      String(j.Driver ?? ''),
      String(j.Queue ?? ''),
      String(j.Active ?? 0),
      String(j.Delayed ?? 0),
      String(j.Reserved ?? 0),
    ]));
  }
  return text;
}

const WORKER_HEADERS = ['PID', 'Status', 'Execs', 'Memory', 'CPU%', 'Created'];
const JOB_HEADERS = ['Status', 'Pipeline', 'Driver', 'Queue', 'Active', 'Delayed', 'Reserved'];

function statusCell(status: string, c: Record<string, Paint>): string {
  switch (status) {
    case 'inactive':
    case 'invalid':
      return c['yellow']!(status);
    case 'ready':
      return c['cyan']!(status);
    case 'working':
      return c['green']!(status);
    case 'stopped':
    case 'errored':
      return c['red']!(status);
    default:
      return status;
  }
}
