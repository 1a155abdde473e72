import { describe, expect, it } from 'vitest';
import { classifyPath } from './request-path.js';

const rules = { forbid: ['.php'], allow: [] as string[] };

describe('classifyPath', () => {
  it.each([
    ['/css/app.css', 'css/app.css', '.css'],
    ['/css/app.CSS?v=3#x', 'css/app.CSS', '.css'],
    ['//css/./app.css', 'css/app.css', '.css'],
    ['/img/a%20b.png', 'img/a b.png', '.png'],
    ['/.well-known/acme-challenge/tok.txt', '.well-known/acme-challenge/tok.txt', '.txt'],
  ])('%s is a candidate', (url, relative, ext) => {
    expect(classifyPath(url, rules)).toEqual({ kind: 'candidate', relative, ext });
  });

  it.each(['/../etc/passwd.txt', '/a/../../b.css', '/%2e%2e/secret.txt', '/%2E%2e/secret.txt', '/x/..%2fsecret.txt', '/a..b.css'])(
    '%s is forbidden (403, like RoadRunner for any "..")', (url) => {
      expect(classifyPath(url, rules)).toEqual({ kind: 'forbidden' });
    },
  );

  it.each([
    ['/a%2fb.css', 'encoded separator or NUL in the path'],
    ['/a%5cb.css', 'encoded separator or NUL in the path'],
    ['/a%00.css', 'encoded separator or NUL in the path'],
    ['/a\\b.css', 'backslash or control character in the path'],
    ['/a%0d%0a.css', 'backslash or control character in the path'],
    ['/%E0%A4%A.css', 'malformed percent-encoding'],
    ['/.env', 'dotfile'],
    ['/.git/config', 'dotfile'],
    ['/assets/.secret.json', 'dotfile'],
    ['/sub/.well-known/x.txt', 'dotfile'],
    ['/', 'no file name'],
    ['/users/42', 'no extension'],
    ['/index.php', 'forbidden extension'],
    ['/INDEX.PHP', 'forbidden extension'],
    ['http://evil/a.css', 'not an origin-form path'],
    ['*', 'not an origin-form path'],
  ])('%s passes to PHP: %s', (url, reason) => {
    expect(classifyPath(url, rules)).toEqual({ kind: 'pass', reason });
  });

  it('decodes once: a double-encoded "..%252f" stays a literal name and cannot climb', () => {
    expect(classifyPath('/%252e%252e/%252e%252e/etc/hosts.txt', rules)).toEqual({
      kind: 'candidate', relative: '%2e%2e/%2e%2e/etc/hosts.txt', ext: '.txt',
    });
  });

  it('with an allow list only those extensions are candidates; forbid still wins', () => {
    const strict = { forbid: ['.map'], allow: ['.css'] };
    expect(classifyPath('/a.css', strict).kind).toBe('candidate');
    expect(classifyPath('/a.js', strict)).toEqual({ kind: 'pass', reason: 'extension not allowed' });
    expect(classifyPath('/a.map', strict)).toEqual({ kind: 'pass', reason: 'forbidden extension' });
  });
});
