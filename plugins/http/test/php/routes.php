<?php
// Shared by both test workers: what each path answers, independent of how frames are written.
// A route returns [status, headers, body] or a special instruction array ['do' => ...].

declare(strict_types=1);

/** @param array<string,mixed> $ctx the decoded request context */
function test_route(array $ctx, string $body): array
{
    $path = parse_url($ctx['uri'], PHP_URL_PATH) ?: '/';
    $parts = explode('/', trim($path, '/'));
    $arg = $parts[1] ?? '';
    switch ($parts[0]) {
        case 'hello':
            return [200, ['Content-Type' => ['text/plain']], 'Hello, world!'];
        case 'status':
            return [(int) $arg, ['X-Status' => [$arg]], ''];
        case 'headers':
            return [200, [
                'Content-Type' => ['text/plain'],
                'Set-Cookie' => ['a=1; Path=/', 'b=2; HttpOnly'],
                'x-lower-case' => ['v1', 'v2'],
            ], 'h'];
        case 'nocontenttype':
            return [200, [], '<html><body>sniffed</body></html>'];
        case 'emptyctx':
            return ['do' => 'emptyctx'];
        case 'soft':
            return ['do' => 'soft', 'message' => 'boom <b>"bad"</b> & failed'];
        case 'crash':
            return ['do' => 'crash'];
        case 'sleep':
            usleep((int) $arg * 1000);
            return [200, ['Content-Type' => ['text/plain']], "slept $arg"];
        case 'hang':
            return ['do' => 'hang'];
        case 'big':
            return [200, ['Content-Type' => ['application/octet-stream']], str_repeat('0123456789abcdef', intdiv((int) $arg, 16))];
        case 'stream':
            return ['do' => 'stream', 'n' => (int) $arg];
        case 'streamforever':
            return ['do' => 'streamforever', 'flag' => $ctx['rawQuery']];
        case 'early':
            return ['do' => 'early'];
        case 'trailer':
            return [200, ['Content-Type' => ['text/plain'], 'Trailer' => ['X-Checksum'], 'X-Checksum' => ['abc123']], 'with trailer'];
        case 'badstatus':
            return [700, [], 'nope'];
        case 'proto':
            return ['do' => 'proto'];
        case 'upgrade':
            return ['do' => 'upgrade'];
        default:
            $files = [];
            $walk = function ($node) use (&$walk, &$files): void {
                if (!is_array($node)) {
                    return;
                }
                if (isset($node['name'], $node['tmpName']) && is_string($node['tmpName'])) {
                    if ($node['tmpName'] !== '') {
                        $files[$node['tmpName']] = is_file($node['tmpName']) ? file_get_contents($node['tmpName']) : null;
                    }
                    return;
                }
                foreach ($node as $child) {
                    $walk($child);
                }
            };
            $walk($ctx['uploads'] ?? null);
            return [200, ['Content-Type' => ['application/json']], json_encode([
                'ctx' => $ctx,
                'body' => strlen($body) <= 65536 ? $body : null,
                'bodyLen' => strlen($body),
                'bodyMd5' => md5($body),
                'files' => (object) $files,
                'pid' => getmypid(),
            ], JSON_THROW_ON_ERROR | JSON_INVALID_UTF8_SUBSTITUTE)];
    }
}
