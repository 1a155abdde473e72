import { createReadStream } from 'node:fs';
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

  async get(stamp: FileStamp, fd: number): Promise<string> {
    const key = `${stamp.path}\0${stamp.ino}\0${stamp.size}\0${stamp.mtimeNs}`;
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      // Re-insert so the map's insertion order doubles as least-recently-used order.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    let sum = 0;
    // autoClose off: the caller owns the descriptor and streams from it afterwards.
    for await (const chunk of createReadStream('', { fd, start: 0, autoClose: false, emitClose: false })) {
      sum = crc32(chunk as Buffer, sum);
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
