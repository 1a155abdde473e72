import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

// /proc/<pid>/stat counts CPU time in USER_HZ ticks, which Linux fixes at 100 for userspace.
const TICKS_PER_SECOND = 100;

function parseVmRss(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** Resident set size of a process in bytes (0 when unknown or gone). Synchronous: for informer. */
export function readRssBytes(pid: number): number {
  try {
    return parseVmRss(readFileSync(`/proc/${pid}/status`, 'latin1'));
  } catch {
    return 0;
  }
}

/** Resident set size of a process in bytes, without blocking (supervisor ticks). */
export async function readRssBytesAsync(pid: number): Promise<number> {
  try {
    return parseVmRss(await readFile(`/proc/${pid}/status`, 'latin1'));
  } catch {
    return 0;
  }
}

/**
 * CPU use over the process lifetime, in percent of one core (what `rr workers` shows):
 * (user + system time) / wall time since start.
 */
export function readCpuPercent(pid: number, createdAt: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    const elapsed = (Date.now() - createdAt) / 1000;
    if (!(elapsed > 0) || !Number.isFinite(ticks)) return 0;
    return Math.round(((ticks / TICKS_PER_SECOND) / elapsed) * 10_000) / 100;
  } catch {
    return 0;
  }
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
