import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

/** File identity used to key the checksum cache and to build weak tags. */
export interface FileStamp {
  readonly path: string;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ino: bigint;
}

/** `W/"<size>-<mtime seconds>.<nanoseconds>"`, RoadRunner's weak form: no read of the content. */
export function weakEtag(stamp: FileStamp): string {
  const sec = stamp.mtimeNs / 1_000_000_000n;
  const nsec = stamp.mtimeNs % 1_000_000_000n;
  return `W/"${stamp.size}-${sec}.${nsec}"`;
}

/**
 * Strong tags are `"<size>-<crc32 of the content>"`. Reading the whole file on every request would
 * cost more than sending it, so checksums are cached per (path, inode, size, mtime); any change to
 * the file changes the key.
 */
export class StrongEtagCache {
  readonly #entries = new Map<string, string>();
  constructor(private readonly capacity = 1024) {}

  async get(stamp: FileStamp, file: FileHandle): Promise<string> {
    const key = `${stamp.path}\0${stamp.ino}\0${stamp.size}\0${stamp.mtimeNs}`;
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      // Re-insert so the map's insertion order doubles as least-recently-used order.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    // Plain positional reads: the caller streams the file from the same handle afterwards, and a
    // stream over it would close the handle if it were destroyed.
    let sum = 0;
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (let pos = 0; ;) {
      const { bytesRead } = await file.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      sum = crc32(buf.subarray(0, bytesRead), sum);
      pos += bytesRead;
    }
    const tag = `"${stamp.size}-${sum >>> 0}"`;
    this.#entries.set(key, tag);
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
    return tag;
  }
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/` is ignored on both sides. */
export function noneMatch(header: string, etag: string): boolean {
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((raw) => {
    const tag = raw.trim();
    return tag === '*' || tag.replace(/^W\//, '') === opaque;
  });
}
