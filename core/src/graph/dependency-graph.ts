/**
 * The plugin dependency graph: pure data in, pure data out, no I/O and no plugin code.
 *
 * Vertices are enabled plugins. Edges point from the plugin that must start first to the one that
 * starts after it: provider → consumer for `requires` and (provided) `optional` tokens, and
 * collector → contributor for multi tokens, so a collector starts before and stops after everything
 * contributing to it. Order is Kahn's algorithm with ties broken by `rank` (registration order) and
 * then by name, never by map or hash order.
 */

/** One enabled plugin as the graph sees it: names of tokens only. */
export interface GraphNode {
  readonly name: string;
  /** Registration position; the tie-breaker when the graph leaves the order open. */
  readonly rank: number;
  readonly requires: readonly string[];
  readonly optional: readonly string[];
  readonly provides: readonly string[];
  readonly contributes: readonly string[];
  readonly collects: readonly string[];
}

export type EdgeKind = 'requires' | 'optional' | 'collects';

/** `from` starts before `to` because of `token`. */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly token: string;
  readonly kind: EdgeKind;
}

/** A dependency cycle in "needs" direction: `path[0]` needs `path[1]` … needs `path[0]` again. */
export interface GraphCycle {
  /** Plugin names, first repeated at the end: `["a", "b", "a"]`. */
  readonly path: readonly string[];
  /** The edges behind each step, `steps[i]` explains `path[i]` → `path[i + 1]`. */
  readonly steps: readonly (readonly GraphEdge[])[];
}

export interface GraphInput {
  readonly nodes: readonly GraphNode[];
  /** Tokens satisfied outside the graph (the kernel's own), never missing and never edges. */
  readonly external?: ReadonlySet<string>;
  /** Stop enumerating cycles after this many (their number can grow exponentially). @default 50 */
  readonly maxCycles?: number;
}

export interface GraphResult {
  /** Deduplicated, sorted by `from` rank, then `to` rank, then token. */
  readonly edges: readonly GraphEdge[];
  /** Required tokens nobody in the graph provides, in consumer rank order. */
  readonly missing: readonly { readonly consumer: string; readonly token: string }[];
  /** Non-multi tokens with more than one provider, providers in rank order. */
  readonly duplicates: readonly { readonly token: string; readonly providers: readonly string[] }[];
  /** Every elementary cycle, each starting at its lowest-ranked plugin. */
  readonly cycles: readonly GraphCycle[];
  /** True when `maxCycles` cut the enumeration short. */
  readonly cyclesTruncated: boolean;
  /** Start order. Plugins on or behind a cycle are left out. */
  readonly order: readonly string[];
  /** For each plugin, the plugins it starts after (direct predecessors), in rank order. */
  readonly dependsOn: ReadonlyMap<string, readonly string[]>;
}

export function buildDependencyGraph(input: GraphInput): GraphResult {
  const nodes = [...input.nodes].sort(compareNodes);
  const external = input.external ?? new Set<string>();
  const index = new Map(nodes.map((n, i) => [n.name, i]));

  const providers = new Map<string, string[]>();
  const collectors = new Map<string, string[]>();
  for (const node of nodes) {
    for (const token of unique(node.provides)) push(providers, token, node.name);
    for (const token of unique(node.collects)) push(collectors, token, node.name);
  }

  const edges: GraphEdge[] = [];
  const missing: { consumer: string; token: string }[] = [];
  for (const node of nodes) {
    for (const token of unique(node.requires)) {
      if (external.has(token)) continue;
      const from = providers.get(token);
      if (from === undefined) missing.push({ consumer: node.name, token });
      else for (const p of from) edges.push({ from: p, to: node.name, token, kind: 'requires' });
    }
    for (const token of unique(node.optional)) {
      if (external.has(token)) continue;
      for (const p of providers.get(token) ?? []) edges.push({ from: p, to: node.name, token, kind: 'optional' });
    }
    // A contribution to a multi token nobody collects is a no-op, not an error.
    for (const token of unique(node.contributes)) {
      for (const c of collectors.get(token) ?? []) edges.push({ from: c, to: node.name, token, kind: 'collects' });
    }
  }
  const rankOf = (name: string): number => index.get(name) ?? Number.MAX_SAFE_INTEGER;
  edges.sort((a, b) => rankOf(a.from) - rankOf(b.from) || rankOf(a.to) - rankOf(b.to)
    || compareStrings(a.token, b.token) || compareStrings(a.kind, b.kind));

  const duplicates = [...providers]
    .filter(([, list]) => list.length > 1)
    .map(([token, list]) => ({ token, providers: list }))
    .sort((a, b) => rankOf(a.providers[0] ?? '') - rankOf(b.providers[0] ?? '') || compareStrings(a.token, b.token));

  // Adjacency by vertex index, one entry per ordered pair however many tokens connect them.
  const after: Set<number>[] = nodes.map(() => new Set<number>());
  const needs: Set<number>[] = nodes.map(() => new Set<number>());
  for (const e of edges) {
    const f = rankIndex(index, e.from);
    const t = rankIndex(index, e.to);
    after[f]!.add(t);
    needs[t]!.add(f);
  }

  const order = kahn(nodes, after).map((i) => nodes[i]!.name);
  const { cycles: rawCycles, truncated } = elementaryCycles(needs.map((s) => [...s].sort((a, b) => a - b)), input.maxCycles ?? 50);
  const cycles = rawCycles.map((cycle) => {
    const path = [...cycle, cycle[0]!].map((i) => nodes[i]!.name);
    const steps = path.slice(0, -1).map((consumer, i) => {
      const provider = path[i + 1]!;
      return edges.filter((e) => e.to === consumer && e.from === provider);
    });
    return { path, steps };
  });

  const dependsOn = new Map<string, string[]>();
  for (const [i, node] of nodes.entries()) {
    dependsOn.set(node.name, [...needs[i]!].sort((a, b) => a - b).map((j) => nodes[j]!.name));
  }

  return { edges, missing, duplicates, cycles, cyclesTruncated: truncated, order, dependsOn };
}

function kahn(nodes: readonly GraphNode[], after: readonly Set<number>[]): number[] {
  const indegree = nodes.map(() => 0);
  for (const targets of after) for (const t of targets) indegree[t]!++;
  // Vertices are already sorted by (rank, name), so the smallest ready index is the tie-break winner.
  const ready = new Set<number>();
  indegree.forEach((d, i) => { if (d === 0) ready.add(i); });
  const order: number[] = [];
  while (ready.size > 0) {
    const next = Math.min(...ready);
    ready.delete(next);
    order.push(next);
    for (const t of after[next]!) {
      indegree[t]!--;
      if (indegree[t] === 0) ready.add(t);
    }
  }
  return order;
}

/**
 * Johnson's algorithm: every elementary cycle exactly once, each rotated to start at its smallest
 * vertex, found in increasing order of that vertex and then in adjacency order.
 */
function elementaryCycles(adj: readonly number[][], max: number): { cycles: number[][]; truncated: boolean } {
  const n = adj.length;
  const cycles: number[][] = [];
  let truncated = false;
  for (let s = 0; s < n && !truncated; s++) {
    const component = componentOf(s, adj);
    if (component === undefined) continue;
    const blocked = new Set<number>();
    const blockers = new Map<number, Set<number>>();
    const stack: number[] = [];
    const unblock = (u: number): void => {
      blocked.delete(u);
      const waiting = blockers.get(u);
      if (waiting === undefined) return;
      blockers.delete(u);
      for (const w of waiting) if (blocked.has(w)) unblock(w);
    };
    const circuit = (v: number): boolean => {
      let found = false;
      stack.push(v);
      blocked.add(v);
      for (const w of adj[v]!) {
        if (truncated) break;
        if (!component.has(w)) continue;
        if (w === s) {
          cycles.push([...stack]);
          if (cycles.length >= max) truncated = true;
          found = true;
        } else if (!blocked.has(w) && circuit(w)) {
          found = true;
        }
      }
      if (found) unblock(v);
      else for (const w of adj[v]!) if (component.has(w)) getOrAdd(blockers, w).add(v);
      stack.pop();
      return found;
    };
    circuit(s);
  }
  return { cycles, truncated };
}

/**
 * The strongly connected component of `s` within the vertices `>= s`, or undefined when `s` lies on
 * no cycle there. Computed as the intersection of what `s` reaches and what reaches `s`.
 */
function componentOf(s: number, adj: readonly number[][]): Set<number> | undefined {
  const forward = reach(s, (v) => adj[v]!.filter((w) => w >= s));
  const reverse: number[][] = adj.map(() => []);
  adj.forEach((targets, v) => { if (v >= s) for (const w of targets) if (w >= s) reverse[w]!.push(v); });
  const backward = reach(s, (v) => reverse[v]!);
  const component = new Set([...forward].filter((v) => backward.has(v)));
  const selfLoop = adj[s]!.includes(s);
  return component.size > 1 || selfLoop ? component : undefined;
}

function reach(start: number, next: (v: number) => readonly number[]): Set<number> {
  const seen = new Set([start]);
  const todo = [start];
  while (todo.length > 0) {
    for (const w of next(todo.pop()!)) {
      if (!seen.has(w)) { seen.add(w); todo.push(w); }
    }
  }
  return seen;
}

function compareNodes(a: GraphNode, b: GraphNode): number {
  return a.rank - b.rank || compareStrings(a.name, b.name);
}

/** Code-unit order, not locale order, so plans do not depend on the machine's locale. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rankIndex(index: ReadonlyMap<string, number>, name: string): number {
  const i = index.get(name);
  if (i === undefined) throw new Error(`internal: edge names unknown plugin "${name}"`);
  return i;
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list)];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function getOrAdd<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (set === undefined) map.set(key, set = new Set());
  return set;
}
