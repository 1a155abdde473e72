<?php

/*
 * CPU per request of a PHP worker, driven over real pipes the way rr drives it: the pid handshake,
 * then N request frames strictly one at a time (each written only after the previous response has
 * been read, so every read in the worker blocks as it does under rr), then the stop command.
 *
 *     php packages/php-worker/bench/request-loop.php [N] [--profile=hello|browser] [--file] [--rounds=R] [SCRIPT [ARGS...]]
 *
 * SCRIPT defaults to bench/http/worker.php hello (the HTTP benchmark's worker, with the same
 * opcache flags as bench/http/hello/.rr.yaml). The worker's user+sys CPU is read with
 * getrusage(RUSAGE_CHILDREN) around its whole life; a run with 0 requests is subtracted, so the
 * figure is per request and excludes start-up. Profiles: `hello` is the context rr builds for
 * wrk's `GET /` (no headers besides Host), `browser` adds nine typical browser headers and cookies.
 *
 * --file: STDIN is a file holding every frame and STDOUT a file, so reads never block and there
 * are no context switches: user CPU then varies much less between runs (the library's own cost).
 * --rounds=R (default 3): repeat, and print the median round. N defaults to 20000 (about 5 s in all
 * on a 2-core box). User CPU in --file mode still varies by ±15 % on a shared machine; for a
 * noise-free figure count instructions instead, e.g.
 *     valgrind --tool=cachegrind --cache-sim=no php ... bench/http/worker.php hello < FRAMES
 * for N and for 0 requests (see the commit that added the lean request path).
 */

declare(strict_types=1);

$args = array_slice($argv, 1);
$n = 20_000;
$profile = 'hello';
$fileMode = false;
$rounds = 3;
if (isset($args[0]) && ctype_digit($args[0])) {
    $n = (int) array_shift($args);
}
while (isset($args[0]) && str_starts_with($args[0], '--')) {
    $opt = array_shift($args);
    if (str_starts_with($opt, '--profile=')) {
        $profile = substr($opt, strlen('--profile='));
    } elseif ($opt === '--file') {
        $fileMode = true;
    } elseif (str_starts_with($opt, '--rounds=')) {
        $rounds = max(1, (int) substr($opt, strlen('--rounds=')));
    } else {
        fwrite(STDERR, "unknown option $opt\n");
        exit(2);
    }
}
$root = dirname(__DIR__, 3);
$script = $args === [] ? [$root . '/bench/http/worker.php', 'hello'] : $args;
// bench/http/worker.php finds the apps here (bench/http/run.sh sets the same).
$apps = getenv('RR_BENCH_APPS') ?: dirname($root) . '/shared/bench/apps';

function frame(string $payload, array $options, int $flags): string
{
    $head = pack('CCV', 0x10 | (3 + count($options)), $flags, strlen($payload));
    $opts = '';
    foreach ($options as $o) {
        $opts .= pack('V', $o);
    }

    return $head . pack('V', crc32($head)) . "\0\0" . $opts . $payload;
}

$context = [
    'remoteAddr' => '127.0.0.1',
    'protocol' => 'HTTP/1.1',
    'method' => 'GET',
    'uri' => 'http://127.0.0.1:18080/',
    'headers' => new stdClass(),
    'cookies' => new stdClass(),
    'rawQuery' => '',
    'parsed' => false,
    'uploads' => null,
    'attributes' => null,
];
if ($profile === 'browser') {
    $context['uri'] = 'http://127.0.0.1:18080/products/7?sort=price&page=2';
    $context['rawQuery'] = 'sort=price&page=2';
    $context['headers'] = [
        'User-Agent' => ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'],
        'Accept' => ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
        'Accept-Language' => ['en-US,en;q=0.5'],
        'Accept-Encoding' => ['gzip, deflate, br'],
        'Connection' => ['keep-alive'],
        'Cookie' => ['sid=abc123; theme=dark'],
        'Upgrade-Insecure-Requests' => ['1'],
        'Sec-Fetch-Dest' => ['document'],
        'Sec-Fetch-Mode' => ['navigate'],
    ];
    $context['cookies'] = ['sid' => 'abc123', 'theme' => 'dark'];
} elseif ($profile !== 'hello') {
    fwrite(STDERR, "unknown profile $profile (hello|browser)\n");
    exit(2);
}
$json = json_encode($context, JSON_UNESCAPED_SLASHES);
$request = frame($json, [strlen($json)], 0x08);

/** @return array{float, float} user and sys CPU seconds of the waited-for children so far */
function childCpu(): array
{
    $r = getrusage(1);

    return [$r['ru_utime.tv_sec'] + $r['ru_utime.tv_usec'] / 1e6, $r['ru_stime.tv_sec'] + $r['ru_stime.tv_usec'] / 1e6];
}

/**
 * One worker life: handshake, $n requests, stop.
 *
 * @return array{float, float, float, string} user CPU s, sys CPU s, wall s, the last response frame
 */
function run(array $script, string $request, int $n, bool $fileMode): array
{
    $cmd = [PHP_BINARY, '-dopcache.enable=1', '-dopcache.enable_cli=1', '-dopcache.validate_timestamps=0', ...$script];
    $env = ['RR_RELAY' => 'pipes', 'RR_MODE' => 'http', 'PATH' => (string) getenv('PATH'), 'RR_BENCH_APPS' => $GLOBALS['apps']];
    $pid = frame('{"pid":1}', [], 0x09);
    $stop = frame('{"stop":true}', [], 0x09);
    [$u0, $s0] = childCpu();
    $t = hrtime(true);
    if ($fileMode) {
        $inFile = tempnam(sys_get_temp_dir(), 'rr-bench-in');
        $outFile = tempnam(sys_get_temp_dir(), 'rr-bench-out');
        $fh = fopen($inFile, 'wb');
        fwrite($fh, $pid);
        for ($i = 0; $i < $n; $i++) {
            fwrite($fh, $request);
        }
        fwrite($fh, $stop);
        fclose($fh);
        [$u0, $s0] = childCpu();
        $t = hrtime(true);
        $proc = proc_open($cmd, [0 => ['file', $inFile, 'rb'], 1 => ['file', $outFile, 'wb'], 2 => STDERR], $pipes, null, $env);
        $code = proc_close($proc);
        $wall = (hrtime(true) - $t) / 1e9;
        $out = (string) file_get_contents($outFile);
        unlink($inFile);
        unlink($outFile);
        $frames = [];
        $buffer = $out;
        // Only the last response is kept; count them all to be sure each request was answered.
        $count = 0;
        $last = '';
        for ($at = 0; $at + 12 <= strlen($buffer);) {
            $h = unpack('Cb0/Cflags/Vlen', $buffer, $at);
            $total = 12 + 4 * (($h['b0'] & 0x0F) - 3) + $h['len'];
            if (($h['flags'] & 0x40) !== 0) {
                throw new RuntimeException('worker error frame: ' . substr($buffer, $at + 12, $h['len']));
            }
            $last = substr($buffer, $at, $total);
            $at += $total;
            $count++;
        }
        if ($count !== $n + 1) {
            throw new RuntimeException(sprintf('expected %d frames from the worker, got %d', $n + 1, $count));
        }
    } else {
        $proc = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => STDERR], $pipes, null, $env);
        if (!is_resource($proc)) {
            throw new RuntimeException('cannot start ' . implode(' ', $cmd));
        }
        [$in, $out] = $pipes;
        $buffer = '';
        $read = static function () use ($out, &$buffer): string {
            while (true) {
                if (strlen($buffer) >= 12) {
                    $h = unpack('Cb0/Cflags/Vlen', $buffer);
                    $total = 12 + 4 * (($h['b0'] & 0x0F) - 3) + $h['len'];
                    if (strlen($buffer) >= $total) {
                        $frame = substr($buffer, 0, $total);
                        $buffer = substr($buffer, $total);
                        if (($h['flags'] & 0x40) !== 0) {
                            throw new RuntimeException('worker error frame: ' . substr($frame, 12));
                        }

                        return $frame;
                    }
                }
                $chunk = fread($out, 65536);
                if ($chunk === '' || $chunk === false) {
                    throw new RuntimeException('the worker closed STDOUT');
                }
                $buffer .= $chunk;
            }
        };
        fwrite($in, $pid);
        $read();
        $last = '';
        for ($i = 0; $i < $n; $i++) {
            fwrite($in, $request);
            $last = $read();
        }
        fwrite($in, $stop);
        fclose($in);
        fclose($out);
        $code = proc_close($proc);
        $wall = (hrtime(true) - $t) / 1e9;
    }
    if ($code !== 0) {
        throw new RuntimeException("the worker exited with $code");
    }
    [$u1, $s1] = childCpu();

    return [$u1 - $u0, $s1 - $s0, $wall, $last];
}

$results = [];
for ($r = 0; $r < $rounds; $r++) {
    [$u0, $s0] = run($script, $request, 0, $fileMode);
    [$u, $s, $wall, $last] = run($script, $request, $n, $fileMode);
    $results[] = ['user' => ($u - $u0) / $n * 1e6, 'sys' => ($s - $s0) / $n * 1e6, 'rate' => $n / $wall];
}
usort($results, static fn (array $a, array $b) => $a['user'] + $a['sys'] <=> $b['user'] + $b['sys']);
$median = $results[intdiv(count($results), 2)];
printf(
    "%s, %s, profile %s, %d requests x %d rounds: median %.2f µs CPU/request (user %.2f, sys %.2f); user per round: %s\nlast response: %s\n",
    implode(' ', array_map('basename', $script)),
    $fileMode ? 'file' : 'pipes',
    $profile,
    $n,
    $rounds,
    $median['user'] + $median['sys'],
    $median['user'],
    $median['sys'],
    implode(' ', array_map(static fn (array $x) => sprintf('%.2f', $x['user']), $results)),
    json_encode(bin2hex(substr($last, 0, 16)) . ' ' . substr($last, 16), JSON_UNESCAPED_SLASHES),
);
