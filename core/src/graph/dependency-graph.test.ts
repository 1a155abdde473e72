import { describe, expect, it } from 'vitest';
import { buildDependencyGraph, type GraphNode } from './dependency-graph.js';

/**
 * Graphs are written as small maps: `name: 'requires x.y, optional a.b, provides c.d'`. The
 * registration order is the key order unless a test shuffles it.
 */
type Spec = Record<string, string>;

function nodes(spec: Spec, order: string[] = Object.keys(spec)): GraphNode[] {
  return order.map((name, rank) => {
    const node = { name, rank, requires: [] as string[], optional: [] as string[], provides: [] as string[], contributes: [] as string[], collects: [] as string[] };
    for (const part of (spec[name] ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
      const [verb, ...tokens] = part.split(/\s+/);
      const list = node[verb as 'requires' | 'optional' | 'provides' | 'contributes' | 'collects'];
      if (!Array.isArray(list)) throw new Error(`bad verb ${verb}`);
      list.push(...tokens);
    }
    return node;
  });
}

/** mulberry32: a tiny seeded PRNG so shuffles are reproducible. */
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

const SEEDS = [1, 7, 42, 1234, 99991];

const determined: Array<{ name: string; spec: Spec; order: string[] }> = [
  { name: 'single plugin', spec: { a: '' }, order: ['a'] },
  {
    name: 'chain',
    spec: { http: 'requires pool.factory', pool: 'requires server.cmd, provides pool.factory', server: 'provides server.cmd' },
    order: ['server', 'pool', 'http'],
  },
  {
    name: 'optional dep that is provided orders like a required one',
    spec: { http: 'optional metrics.registry', metrics: 'provides metrics.registry' },
    order: ['metrics', 'http'],
  },
  {
    name: 'collector before contributors, contributors chained by a token',
    spec: { jobs: 'contributes rpc.services, requires kv.store', kv: 'contributes rpc.services, provides kv.store', rpc: 'collects rpc.services' },
    order: ['rpc', 'kv', 'jobs'],
  },
];


describe('buildDependencyGraph: order the graph fully determines', () => {
  for (const row of determined) {
    it(`${row.name}: same plan under ${SEEDS.length} shuffled registrations`, () => {
      expect(buildDependencyGraph({ nodes: nodes(row.spec) }).order).toEqual(row.order);
      for (const seed of SEEDS) {
        const g = buildDependencyGraph({ nodes: nodes(row.spec, shuffled(Object.keys(row.spec), seed)) });
        expect(g.order, `seed ${seed}`).toEqual(row.order);
        expect(g.cycles).toEqual([]);
      }
    });
  }

  it('a long chain registered backwards starts from its root', () => {
    const spec: Spec = {};
    const names = Array.from({ length: 12 }, (_, i) => `p${String(i).padStart(2, '0')}`);
    names.forEach((name, i) => {
      spec[name] = [i > 0 ? `requires t.t${i - 1}` : '', `provides t.t${i}`].filter(Boolean).join(', ');
    });
    for (const seed of SEEDS) {
      expect(buildDependencyGraph({ nodes: nodes(spec, shuffled(names, seed)) }).order).toEqual(names);
    }
  });
});

describe('buildDependencyGraph: ties', () => {
  const diamond: Spec = { d: 'requires b.x, requires c.x', b: 'requires a.x, provides b.x', c: 'requires a.x, provides c.x', a: 'provides a.x' };

  it('breaks ties by registration order', () => {
    expect(buildDependencyGraph({ nodes: nodes(diamond, ['d', 'b', 'c', 'a']) }).order).toEqual(['a', 'b', 'c', 'd']);
    expect(buildDependencyGraph({ nodes: nodes(diamond, ['d', 'c', 'b', 'a']) }).order).toEqual(['a', 'c', 'b', 'd']);
  });

  it('breaks equal ranks by name (code-unit order)', () => {
    const list = nodes({ b: '', a: '', B: '' }).map((n) => ({ ...n, rank: 0 }));
    expect(buildDependencyGraph({ nodes: list }).order).toEqual(['B', 'a', 'b']);
  });

  it('keeps every edge satisfied under any registration order', () => {
    const spec: Spec = {
      http: 'requires pool.factory, optional metrics.registry, contributes rpc.services',
      pool: 'requires server.cmd, provides pool.factory',
      server: 'provides server.cmd',
      metrics: 'provides metrics.registry, contributes rpc.services',
      rpc: 'collects rpc.services',
      status: 'optional metrics.registry',
      logs: '',
    };
    for (const seed of SEEDS) {
      const reg = shuffled(Object.keys(spec), seed);
      const g = buildDependencyGraph({ nodes: nodes(spec, reg) });
      expect(g.order).toHaveLength(7);
      for (const e of g.edges) expect(g.order.indexOf(e.from), `${e.from} before ${e.to}`).toBeLessThan(g.order.indexOf(e.to));
      // Roots (no incoming edge) are all ready at once, so they keep their registration order.
      const free: string[] = reg.filter((n) => n === 'logs' || n === 'server' || n === 'rpc');
      expect(g.order.filter((n) => free.includes(n))).toEqual(free);
    }
  });

  it('orders a collector before its contributors', () => {
    const g = buildDependencyGraph({ nodes: nodes({ kv: 'contributes rpc.services', jobs: 'contributes rpc.services', rpc: 'collects rpc.services' }) });
    expect(g.order).toEqual(['rpc', 'kv', 'jobs']);
    expect(g.edges).toEqual([
      { from: 'rpc', to: 'kv', token: 'rpc.services', kind: 'collects' },
      { from: 'rpc', to: 'jobs', token: 'rpc.services', kind: 'collects' },
    ]);
  });
});

describe('buildDependencyGraph: edges and problems', () => {
  it('records provider → consumer edges with their token and kind, sorted by rank', () => {
    const g = buildDependencyGraph({ nodes: nodes({
      server: 'provides server.cmd',
      pool: 'requires server.cmd, provides pool.factory',
      http: 'requires pool.factory, requires server.cmd, optional metrics.registry, optional status.x',
      metrics: 'provides metrics.registry',
    }) });
    expect(g.edges).toEqual([
      { from: 'server', to: 'pool', token: 'server.cmd', kind: 'requires' },
      { from: 'server', to: 'http', token: 'server.cmd', kind: 'requires' },
      { from: 'pool', to: 'http', token: 'pool.factory', kind: 'requires' },
      { from: 'metrics', to: 'http', token: 'metrics.registry', kind: 'optional' },
    ]);
    expect(g.dependsOn.get('http')).toEqual(['server', 'pool', 'metrics']);
    expect(g.dependsOn.get('server')).toEqual([]);
    expect(g.missing).toEqual([]);
  });

  it('reports every missing required token, but never a missing optional one or an external one', () => {
    const g = buildDependencyGraph({
      nodes: nodes({ jobs: 'requires pool.factory, requires core.config, optional metrics.registry', http: 'requires pool.factory, requires http.x' }),
      external: new Set(['core.config']),
    });
    expect(g.missing).toEqual([
      { consumer: 'jobs', token: 'pool.factory' },
      { consumer: 'http', token: 'pool.factory' },
      { consumer: 'http', token: 'http.x' },
    ]);
    expect(g.edges).toEqual([]);
  });

  it('reports duplicate providers in registration order', () => {
    const g = buildDependencyGraph({ nodes: nodes({ a: 'provides x.y', b: '', c: 'provides x.y, provides z.z', d: 'provides x.y' }) });
    expect(g.duplicates).toEqual([{ token: 'x.y', providers: ['a', 'c', 'd'] }]);
  });

  it('treats a contribution nobody collects as a no-op', () => {
    const g = buildDependencyGraph({ nodes: nodes({ kv: 'contributes rpc.services' }) });
    expect(g).toMatchObject({ edges: [], missing: [], order: ['kv'] });
  });
});

describe('buildDependencyGraph: cycles', () => {
  const table: Array<{ name: string; spec: Spec; cycles: string[][]; order: string[] }> = [
    { name: 'self dependency', spec: { a: 'provides a.x, requires a.x' }, cycles: [['a', 'a']], order: [] },
    { name: 'two plugins', spec: { a: 'requires b.x, provides a.x', b: 'requires a.x, provides b.x' }, cycles: [['a', 'b', 'a']], order: [] },
    {
      name: 'three-cycle with a free plugin and a dependent behind it',
      spec: { free: '', a: 'requires b.x, provides a.x', b: 'requires c.x, provides b.x', c: 'requires a.x, provides c.x', behind: 'requires a.x' },
      cycles: [['a', 'b', 'c', 'a']],
      order: ['free'],
    },
    {
      name: 'two cycles sharing a vertex',
      spec: { a: 'requires b.x, requires c.x, provides a.x', b: 'requires a.x, provides b.x', c: 'requires a.x, provides c.x' },
      cycles: [['a', 'b', 'a'], ['a', 'c', 'a']],
      order: [],
    },
    {
      name: 'complete graph on three vertices has five elementary cycles',
      spec: {
        a: 'requires b.x, requires c.x, provides a.x',
        b: 'requires a.x, requires c.x, provides b.x',
        c: 'requires a.x, requires b.x, provides c.x',
      },
      cycles: [['a', 'b', 'a'], ['a', 'b', 'c', 'a'], ['a', 'c', 'a'], ['a', 'c', 'b', 'a'], ['b', 'c', 'b']],
      order: [],
    },
    {
      name: 'cycle through a multi token',
      spec: { rpc: 'collects rpc.services, requires kv.x', kv: 'contributes rpc.services, provides kv.x' },
      cycles: [['rpc', 'kv', 'rpc']],
      order: [],
    },
  ];

  for (const row of table) {
    it(`${row.name}: exact paths`, () => {
      const g = buildDependencyGraph({ nodes: nodes(row.spec) });
      expect(g.cycles.map((c) => c.path)).toEqual(row.cycles);
      expect(g.order).toEqual(row.order);
      expect(g.cyclesTruncated).toBe(false);
    });
  }

  it('starts each cycle at its first-registered plugin whatever the registration order', () => {
    const spec: Spec = { a: 'requires b.x, provides a.x', b: 'requires c.x, provides b.x', c: 'requires a.x, provides c.x' };
    for (const seed of SEEDS) {
      const reg = shuffled(Object.keys(spec), seed);
      const [cycle] = buildDependencyGraph({ nodes: nodes(spec, reg) }).cycles;
      const first = reg[0]!;
      const rotation = { a: ['a', 'b', 'c', 'a'], b: ['b', 'c', 'a', 'b'], c: ['c', 'a', 'b', 'c'] }[first];
      expect(cycle?.path).toEqual(rotation);
    }
  });

  it('explains each step with the edges behind it', () => {
    const g = buildDependencyGraph({ nodes: nodes({ rpc: 'collects rpc.services, requires kv.x, requires kv.y', kv: 'contributes rpc.services, provides kv.x, provides kv.y' }) });
    expect(g.cycles[0]?.steps).toEqual([
      [
        { from: 'kv', to: 'rpc', token: 'kv.x', kind: 'requires' },
        { from: 'kv', to: 'rpc', token: 'kv.y', kind: 'requires' },
      ],
      [{ from: 'rpc', to: 'kv', token: 'rpc.services', kind: 'collects' }],
    ]);
  });

  it('stops after maxCycles and says so', () => {
    // Complete graph on 5 vertices: 84 elementary cycles.
    const names = ['a', 'b', 'c', 'd', 'e'];
    const spec: Spec = {};
    for (const n of names) spec[n] = [`provides ${n}.x`, ...names.filter((m) => m !== n).map((m) => `requires ${m}.x`)].join(', ');
    expect(buildDependencyGraph({ nodes: nodes(spec), maxCycles: 1000 }).cycles).toHaveLength(84);
    const g = buildDependencyGraph({ nodes: nodes(spec), maxCycles: 10 });
    expect(g.cycles).toHaveLength(10);
    expect(g.cyclesTruncated).toBe(true);
  });
});
