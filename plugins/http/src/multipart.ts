/** One part of a multipart/form-data body. */
export interface Part {
  readonly name: string;
  /** The client file name (base name), or undefined for an ordinary field. */
  readonly filename: string | undefined;
  readonly contentType: string;
  readonly data: Buffer;
}

/** Thrown for a body that is not valid multipart: the request fails with 400. */
export class MultipartError extends Error {}

/** The `boundary` parameter of a multipart Content-Type, or undefined. */
export function boundaryOf(contentType: string): string | undefined {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m === null ? undefined : m[1] ?? m[2];
}

function param(header: string, key: string): string | undefined {
  // key="quoted \" value" | key=token; filename* (RFC 5987) wins over filename
  const star = new RegExp(`;\\s*${key}\\*=([^']*)'[^']*'([^;]*)`, 'i').exec(header);
  if (star !== null) {
    try { return decodeURIComponent(star[2]!.trim()); } catch { /* fall through */ }
  }
  const m = new RegExp(`;\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, 'i').exec(header);
  if (m === null) return undefined;
  // Go's mime parser drops a backslash only before a tspecial, so Windows paths keep theirs.
  return m[1] !== undefined ? m[1].replace(/\\([()<>@,;:\\"/[\]?=])/g, '$1') : m[2]!.trim();
}

function baseName(name: string): string {
  // Go's multipart takes filepath.Base of the name (on Unix only '/' separates).
  const cut = name.lastIndexOf('/');
  return cut < 0 ? name : name.slice(cut + 1);
}

/** Parses a fully buffered multipart body. */
export function parseMultipart(body: Buffer, boundary: string): Part[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw new MultipartError('multipart: NextPart: EOF');
  for (;;) {
    pos += delim.length;
    // "--" after a delimiter closes the body.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts;
    // Skip transport padding and the CRLF.
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++;
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    else if (body[pos] === 0x0a) pos += 1;
    else throw new MultipartError('multipart: NextPart: malformed boundary line');
    const headEnd = body.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) throw new MultipartError('multipart: NextPart: EOF in part headers');
    const head = body.toString('utf8', pos, headEnd);
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headEnd + 4);
    if (next < 0) throw new MultipartError('multipart: NextPart: EOF (no closing boundary)');
    let disposition = '';
    let contentType = '';
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const key = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (key === 'content-disposition') disposition = value;
      else if (key === 'content-type') contentType = value;
    }
    if (/^form-data\b/i.test(disposition)) {
      const name = param(disposition, 'name') ?? '';
      const fn = param(disposition, 'filename');
      const filename = fn === undefined || fn === '' ? undefined : baseName(fn);
      parts.push({ name, filename, contentType, data: body.subarray(headEnd + 4, next) });
    }
    pos = next + 2;
  }
}
