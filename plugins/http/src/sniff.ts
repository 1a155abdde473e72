const HTML_TAGS = ['<!DOCTYPE HTML', '<HTML', '<HEAD', '<SCRIPT', '<IFRAME', '<H1', '<DIV', '<FONT', '<TABLE', '<A', '<STYLE', '<TITLE', '<B', '<BODY', '<BR', '<P', '<!--'];

function startsWithTag(text: string, tag: string): boolean {
  if (text.length <= tag.length || text.slice(0, tag.length).toUpperCase() !== tag) return false;
  const next = text.charCodeAt(tag.length);
  return next === 0x20 || next === 0x3e; // a space or '>' ends the tag
}

/**
 * A small subset of Go's `http.DetectContentType`, used when the worker sets no Content-Type:
 * HTML, XML, PDF, common images, plain text, else binary.
 */
export function sniffContentType(body: Uint8Array): string {
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, 512));
  if (head[0] === 0x89 && head.toString('latin1', 1, 4) === 'PNG') return 'image/png';
  if (head.toString('latin1', 0, 4) === 'GIF8') return 'image/gif';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.toString('latin1', 0, 5) === '%PDF-') return 'application/pdf';
  let i = 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x0c)) i++;
  const text = head.toString('latin1', i, Math.min(head.length, i + 20));
  if (text.startsWith('<?xml')) return 'text/xml; charset=utf-8';
  for (const tag of HTML_TAGS) if (startsWithTag(text, tag)) return 'text/html; charset=utf-8';
  for (let j = 0; j < head.length; j++) {
    const b = head[j]!;
    if (b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)) return 'application/octet-stream';
  }
  return 'text/plain; charset=utf-8';
}
