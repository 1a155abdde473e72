/**
 * Does `Accept-Encoding` accept gzip? `gzip` (or `x-gzip`) with q > 0 wins; otherwise `*` with q > 0.
 * An explicit `gzip;q=0` refuses it even when `*` is allowed.
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const text = Array.isArray(header) ? header.join(',') : header;
  let gzip: number | undefined;
  let star: number | undefined;
  for (const part of text.split(',')) {
    const [rawName = '', ...params] = part.split(';');
    const name = rawName.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m !== null) q = Number(m[1]);
    }
    if (Number.isNaN(q)) q = 0;
    if (name === 'gzip' || name === 'x-gzip') gzip = Math.max(gzip ?? 0, q);
    else if (name === '*') star = q;
  }
  if (gzip !== undefined) return gzip > 0;
  return star !== undefined && star > 0;
}

// Formats that are already compressed: gzip would only spend CPU (klauspost gzhttp skips them too).
const PRECOMPRESSED = /^(?:image\/(?!svg)|video\/|audio\/|font\/woff2?)|^application\/(?:zip|gzip|x-gzip|x-bzip2|x-7z-compressed|x-rar-compressed|zstd|wasm|pdf|octet-stream)\b/i;

export function compressibleType(contentType: string | undefined): boolean {
  return contentType === undefined || !PRECOMPRESSED.test(contentType.trim());
}
