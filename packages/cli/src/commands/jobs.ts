import { RpcCodec } from '@rr/goridge';
import { RrError } from '@rr/plugin-api';
import { ErrorCodes } from '@rr/kernel';
import type { ParsedArgs } from '../args.js';
import { connectRpc, findRpcTarget } from '../rpc-client.js';
import { renderTable } from '../table.js';

const USAGE = 'command should be in form of: `rr jobs --<destroy/resume/pause> pipe1,pipe2`';

/**
 * `rr jobs --list | --pause p1,p2 | --resume p1,p2 | --destroy p1,p2`: RoadRunner's jobs command over
 * RPC (`jobs.List|Pause|Resume|Destroy` with protobuf `jobs.v1.Pipelines`). Prints a one-column
 * `Pipeline(s)` table, unless `-s` (`--list` always prints).
 */
export async function jobs(args: ParsedArgs): Promise<number> {
  const { pause, resume, destroy, list } = args.extra;
  const positional = args.positionals[1];
  const names = (v: unknown): string[] => String(typeof v === 'string' ? v : positional ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  let method: 'Pause' | 'Resume' | 'Destroy' | 'List';
  let pipelines: string[] = [];
  if (list === true) method = 'List';
  else if (pause !== undefined) { method = 'Pause'; pipelines = names(pause); }
  else if (resume !== undefined) { method = 'Resume'; pipelines = names(resume); }
  else if (destroy !== undefined) { method = 'Destroy'; pipelines = names(destroy); }
  else throw new RrError(ErrorCodes.CLI_USAGE, USAGE);
  if (method !== 'List' && pipelines.length === 0) throw new RrError(ErrorCodes.CLI_USAGE, `${USAGE} (no pipeline named)`);

  const client = await connectRpc(await findRpcTarget(args.flags));
  try {
    const res = await client.call(`jobs.${method}`, encodePipelines(pipelines), RpcCodec.PROTO, { timeoutMs: 0 });
    const shown = method === 'List' || method === 'Destroy' ? decodePipelines(res.body) : pipelines;
    if (method === 'List' || !args.flags.silent) process.stdout.write(renderTable(['Pipeline(s)'], shown.map((p) => [p])));
    return 0;
  } finally {
    client.close();
  }
}

// jobs.v1.Pipelines { repeated string pipelines = 1; } by hand: a protobuf library would cost start-up time.
export function encodePipelines(names: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const n of names) {
    const bytes = Buffer.from(n, 'utf8');
    parts.push(Buffer.from([0x0a]), varint(bytes.length), bytes);
  }
  return Buffer.concat(parts);
}

export function decodePipelines(body: Uint8Array): string[] {
  const out: string[] = [];
  let pos = 0;
  const read = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (pos >= body.length) throw new Error('jobs: truncated protobuf reply from the server');
      const b = body[pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) return v;
    }
  };
  while (pos < body.length) {
    const key = read();
    const wire = key & 7;
    if (wire === 2) {
      const len = read();
      if ((key >>> 3) === 1) out.push(Buffer.from(body.subarray(pos, pos + len)).toString('utf8'));
      pos += len;
    } else if (wire === 0) read();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`jobs: unexpected protobuf wire type ${wire} in the server's reply`);
  }
  return out;
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) { bytes.push((n & 0x7f) | 0x80); n = Math.floor(n / 128); }
  bytes.push(n);
  return Buffer.from(bytes);
}
