import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';

export type Target =
  | { readonly kind: 'file'; readonly path: string; readonly size: number; readonly mtime: Date }
  | { readonly kind: 'forbidden'; readonly reason: string }
  | { readonly kind: 'missing'; readonly reason: string };

// Kernel pseudo-filesystems: /proc/self/environ is a "regular file" that would leak the server's
// environment (RR_RPC, secrets), and /dev or /sys entries are never downloads.
const SPECIAL_ROOTS = ['/proc', '/sys', '/dev'];

/**
 * Where an `X-Sendfile` value points. As RoadRunner: any path the server process can read, except
 * one containing `..` (403). Relative paths resolve against the config directory (RoadRunner's working
 * directory). Only regular files outside /proc, /sys and /dev are sent.
 */
export async function resolveTarget(value: string, workDir: string): Promise<Target> {
  if (value.includes('..')) return { kind: 'forbidden', reason: 'path contains ".."' };
  if (value.includes('\0')) return { kind: 'forbidden', reason: 'path contains NUL' };
  const wanted = isAbsolute(value) ? value : resolve(workDir, value);
  let real: string;
  try {
    real = await realpath(wanted);
  } catch {
    return { kind: 'missing', reason: 'no such file' };
  }
  if (SPECIAL_ROOTS.some((root) => real === root || real.startsWith(root + sep))) return { kind: 'missing', reason: `refusing a file under ${real.split(sep).slice(0, 2).join(sep)}` };
  const st = await stat(real).catch(() => undefined);
  if (st === undefined) return { kind: 'missing', reason: 'no such file' };
  if (!st.isFile()) return { kind: 'missing', reason: st.isDirectory() ? 'a directory, not a file' : 'not a regular file' };
  return { kind: 'file', path: real, size: st.size, mtime: st.mtime };
}
