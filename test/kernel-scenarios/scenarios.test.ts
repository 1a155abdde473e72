/**
 * Runs every scenario in this directory (each `<name>.ts` not starting with `_`) against the real
 * kernel, with the real config validator, through @rr/kernel's public API.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createKernel, validateSection, type PluginEntry, type StopOutcome } from '@rr/kernel';
import { materialize, MemoryLoggers, type FakeSpec, type RawEntry, type Scenario } from './_harness.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.startsWith('_') && !f.endsWith('.test.ts')).sort();
const scenarios = await Promise.all(files.map(async (f) => [f.replace(/\.ts$/, ''), (await import(/* @vite-ignore */ new URL(f, import.meta.url).href)) as Scenario] as const));

const SEEDS = [3, 17, 2024];
const CONFIG_FILE = '/srv/app/.rr.yaml';

async function run(scenario: Scenario, order: readonly (FakeSpec | RawEntry)[]) {
  const events: string[] = [];
  const loggers = new MemoryLoggers();
  const fatalTriggers: (() => void)[] = [];
  const entries: PluginEntry[] = order.map((p) => 'raw' in p
    ? { plugin: p.raw as PluginEntry['plugin'], source: 'external', packageName: p.packageName ?? 'rr-plugin-raw', packageVersion: '1.0.0' }
    : { plugin: materialize(p, events, loggers, fatalTriggers), source: 'builtin', packageName: `@rr/plugin-${p.name}`, packageVersion: '0.1.0' });
  const kernel = createKernel({
    entries,
    config: { file: CONFIG_FILE, dir: '/srv/app', data: { version: '3', ...scenario.config }, experimental: false },
    loggers,
    version: '2026.1.0',
    validateSection,
    ...(scenario.startTimeoutMs === undefined ? {} : { startTimeoutMs: scenario.startTimeoutMs }),
  });
  let stopping: Promise<StopOutcome> | undefined;
  // What the CLI does: a fatal error means stop everything.
  kernel.onFatal((err) => {
    events.push(`fatal:${err.plugin}:${err.code}`);
    stopping ??= kernel.stop('fatal');
  });

  let error: unknown;
  let outcome: StopOutcome | undefined;
  try {
    await kernel.start();
  } catch (err) {
    error = err;
  }
  if (error === undefined) {
    expect(kernel.state).toBe('running');
    for (const trigger of fatalTriggers) trigger();
    // A fatal trigger reaches onFatal in a microtask; give it that before stopping ourselves.
    await Promise.resolve();
    outcome = await (stopping ?? kernel.stop('test'));
    expect(kernel.state).toBe('stopped');
  }
  return { events, loggers, error, outcome, kernel };
}

describe('kernel scenarios', () => {
  for (const [name, scenario] of scenarios) {
    const orders: [string, readonly (FakeSpec | RawEntry)[]][] = [['as registered', scenario.plugins]];
    if (scenario.orderFixedByGraph) for (const seed of SEEDS) orders.push([`shuffled (seed ${seed})`, shuffled(scenario.plugins, seed)]);

    for (const [label, order] of orders) {
      it(`${name}: ${scenario.description} [${label}]`, async () => {
        const { events, loggers, error, outcome, kernel } = await run(scenario, order);
        if (scenario.expectedError !== undefined) {
          const want = scenario.expectedError;
          expect(error, 'start() should have failed').toBeDefined();
          const err = error as { code: string; plugin?: string; phase?: string; message: string; errors?: { code: string; plugin?: string; message: string }[] };
          expect({ code: err.code, plugin: err.plugin, phase: err.phase }).toEqual({ code: want.code, plugin: want.plugin, phase: want.phase });
          for (const text of want.messageIncludes ?? []) expect(err.message).toContain(text);
          if (want.problems !== undefined) {
            expect((err.errors ?? []).map((e) => ({ code: e.code, plugin: e.plugin }))).toEqual(want.problems.map((p) => ({ code: p.code, plugin: p.plugin })));
            want.problems.forEach((p, i) => {
              for (const text of p.messageIncludes ?? []) expect(err.errors?.[i]?.message).toContain(text);
            });
          }
          expect(['failed', 'stopped']).toContain(kernel.state);
        } else {
          expect(error, String((error as Error | undefined)?.message)).toBeUndefined();
          expect(outcome).toMatchObject({ ok: scenario.expectedStop?.ok ?? true, unfinished: scenario.expectedStop?.unfinished ?? [] });
          expect(outcome?.errors.map((e) => e.code)).toEqual(scenario.expectedStop?.errorCodes ?? []);
        }
        if (scenario.expectedEvents !== undefined) expect(events).toEqual(scenario.expectedEvents);
        for (const want of scenario.expectedLogs ?? []) {
          const found = loggers.records.some((r) => r.logger === want.logger && r.level === want.level && r.msg.includes(want.msgIncludes)
            && Object.entries(want.fields ?? {}).every(([k, v]) => JSON.stringify(r.fields[k]) === JSON.stringify(v)));
          expect(found, `log ${JSON.stringify(want)} in\n${loggers.records.map((r) => `${r.logger} ${r.level} ${r.msg} ${JSON.stringify(r.fields)}`).join('\n')}`).toBe(true);
        }
      });
    }
  }
});

/** mulberry32-driven Fisher–Yates, reproducible per seed. */
function shuffled<T>(list: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
