<?php
// A raw goridge worker for the pool tests: no library, frames built with pack/unpack/crc32
// (packages/testing/php/raw-frames.php).
//
// Boot behaviour comes from the environment:
//   TEST_BOOT=exit        write to STDERR and exit 3 before the handshake
//   TEST_BOOT=garbage     print text on STDOUT before the handshake
//   TEST_BOOT=hang        never answer the handshake
//   TEST_FAIL_IF_EXISTS=f behave like TEST_BOOT=exit while file f exists
//   TEST_LEDGER=f         append "boot <pid>" to f at start (counts spawn attempts)
//   TEST_IGNORE_STOP=1    ignore the stop command and SIGTERM (for kill deadlines)
//
// Each request's context selects what to do; the body is the data:
//   {...json}       mirror: answer the same context and body
//   echo            answer {"pid":..,"execs":..} + the body
//   whoami          answer {"uid":..,"gid":..,"groups":[..]}
//   env             answer with a JSON object of the RR_* and TEST_* variables
//   crash           SIGKILL itself mid-request (after writing to STDERR)
//   exit            exit(7) mid-request
//   garbage         print text on STDOUT instead of a frame
//   badopts         answer a data frame with two options
//   hang            sleep forever
//   sleep:MS        sleep MS milliseconds, then echo
//   alloc:MB        keep MB megabytes allocated, then echo
//   soft            answer an error frame (soft error) with the body as message
//   stop            ask to be restarted (stop frame), then wait for the server's stop command
//   stoponce:FILE   like stop when FILE does not exist (and creates it), else echo
//   stopevery:N     ask to be restarted on every Nth request of this process, else echo
//   softstop        an error frame, then a restart request (Laravel Octane on an exception)
//   stream:N        N chunks with STREAM set (PING on every 5th; waits for the PONG), then a final frame
//   streamcrash     one STREAM chunk, then SIGKILL itself
//   streamforever   chunks until the server sends STOP, then the empty terminator frame
//   stderr:KB       write KB kilobytes to STDERR, then echo

declare(strict_types=1);

require __DIR__ . '/../../../../packages/testing/php/raw-frames.php';

const F_CONTROL = 0x01;
const F_ERROR = 0x40;
const S_STREAM = 0x01;
const S_STOP = 0x02;
const S_PING = 0x04;
const S_PONG = 0x08;

$ignoreStop = getenv('TEST_IGNORE_STOP') === '1';
if ($ignoreStop && function_exists('pcntl_signal')) {
    pcntl_signal(SIGTERM, SIG_IGN);
}
if (($ledger = getenv('TEST_LEDGER')) !== false && $ledger !== '') {
    file_put_contents($ledger, 'boot ' . getmypid() . "\n", FILE_APPEND | LOCK_EX);
}
$boot = getenv('TEST_BOOT') ?: '';
$failFile = getenv('TEST_FAIL_IF_EXISTS') ?: '';
if ($failFile !== '' && file_exists($failFile)) {
    $boot = 'exit';
}
if ($boot === 'exit') {
    fwrite(STDERR, "fatal: the test worker was told to fail at boot (missing config /etc/app.ini)\n");
    exit(3);
}
if ($boot === 'garbage') {
    echo "Hello from a worker that prints before the handshake\n";
}
if ($boot === 'hang') {
    while (true) {
        sleep(1000);
    }
}

$relay = getenv('RR_RELAY') ?: 'pipes';
if ($relay === 'pipes') {
    $in = STDIN;
    $out = STDOUT;
} else {
    $sock = stream_socket_client($relay, $errno, $errstr, 10);
    if ($sock === false) {
        fwrite(STDERR, "cannot connect to $relay: $errstr\n");
        exit(4);
    }
    $in = $out = $sock;
}

function respond($out, string $ctx, string $body, int $stream = 0): void
{
    write_frame($out, 0, [strlen($ctx)], $ctx . $body, $stream);
}

$execs = 0;
$held = [];
while (true) {
    [$flags, $opts, $payload, $stream] = read_frame($in);
    if ($flags & F_CONTROL) {
        $cmd = json_decode($payload, true);
        if (!empty($cmd['stop'])) {
            if ($ignoreStop) {
                continue;
            }
            exit(0);
        }
        if (!empty($cmd['pid'])) {
            write_frame($out, F_CONTROL, [], json_encode(['pid' => getmypid()]));
            continue;
        }
        fwrite(STDERR, "unknown control frame: $payload\n");
        exit(5);
    }
    if ($stream & (S_STOP | S_PONG)) {
        continue; // late stream control frames
    }
    $ctxLen = $opts[0] ?? 0;
    $ctx = substr($payload, 0, $ctxLen);
    $body = (string) substr($payload, $ctxLen);
    $execs++;
    if ($ctx !== '' && $ctx[0] === '{') {
        // mirror: the same context and body back, like the library's examples/echo.php
        respond($out, $ctx, $body);
        continue;
    }
    $arg = '';
    if (($p = strpos($ctx, ':')) !== false) {
        $arg = substr($ctx, $p + 1);
        $ctx = substr($ctx, 0, $p);
    }
    $meta = json_encode(['pid' => getmypid(), 'execs' => $execs]);
    switch ($ctx) {
        case 'echo':
        case '':
            respond($out, $meta, $body);
            break;
        case 'whoami':
            respond($out, $meta, json_encode(['uid' => posix_getuid(), 'gid' => posix_getgid(), 'groups' => posix_getgroups()]));
            break;
        case 'env':
            $vars = [];
            foreach (getenv() as $k => $v) {
                if (str_starts_with($k, 'RR_') || str_starts_with($k, 'TEST_')) {
                    $vars[$k] = $v;
                }
            }
            respond($out, $meta, json_encode($vars));
            break;
        case 'crash':
            fwrite(STDERR, "about to die in the middle of a request\n");
            posix_kill(getmypid(), SIGKILL);
            sleep(10);
            break;
        case 'exit':
            fwrite(STDERR, "exiting with 7 in the middle of a request\n");
            exit(7);
        case 'garbage':
            fwrite($out, "Warning: something printed on STDOUT by mistake\n");
            sleep(30);
            break;
        case 'badopts':
            write_frame($out, 0, [2, 3], 'abcdef');
            break;
        case 'hang':
            fwrite(STDERR, "hanging forever\n");
            while (true) {
                sleep(1000);
            }
        case 'sleep':
            usleep((int) $arg * 1000);
            respond($out, $meta, $body);
            break;
        case 'alloc':
            $held[] = str_repeat('x', (int) $arg * 1024 * 1024);
            respond($out, $meta, $body);
            break;
        case 'soft':
            write_frame($out, F_ERROR, [], $body);
            break;
        case 'stoponce':
            // Only the first worker to see this request (per flag file) asks to be restarted.
            if (file_exists($arg)) {
                respond($out, $meta, $body);
                break;
            }
            touch($arg);
            // no break
        case 'stop':
            respond($out, '{"stop":true}', '');
            break;
        case 'stopevery':
            // Ask to be restarted on every Nth request this process sees, answer the others.
            if ($execs % (int) $arg === 0) {
                respond($out, '{"stop":true}', '');
            } else {
                respond($out, $meta, $body);
            }
            break;
        case 'softstop':
            // What Laravel Octane's worker does when the app throws: an error, then a restart request.
            write_frame($out, F_ERROR, [], $body);
            respond($out, '{"stop":true}', '');
            break;
        case 'stream':
            $n = (int) $arg;
            for ($i = 1; $i < $n; $i++) {
                $ping = $i % 5 === 0;
                respond($out, $meta, "chunk$i;", S_STREAM | ($ping ? S_PING : 0));
                if ($ping) {
                    // The server must answer a PING at once: block for it (a missing PONG hangs the test).
                    do {
                        [$f2, , , $s2] = read_frame($in);
                    } while (!($s2 & S_PONG));
                    fwrite(STDERR, "got pong after chunk $i\n");
                }
            }
            respond($out, $meta, "chunk$n;");
            break;
        case 'streamcrash':
            respond($out, $meta, 'chunk1;', S_STREAM);
            fwrite(STDERR, "dying after the first chunk\n");
            posix_kill(getmypid(), SIGKILL);
            sleep(10);
            break;
        case 'streamforever':
            $i = 0;
            $stopped = false;
            while (!$stopped) {
                $i++;
                $ping = $i % 5 === 0;
                respond($out, $meta, "chunk$i;", S_STREAM | ($ping ? S_PING : 0));
                usleep(2000);
                while (($f = poll_frame($in)) !== null) {
                    if ($f[3] & S_STOP) {
                        $stopped = true;
                    }
                }
            }
            fwrite(STDERR, "stream stopped by the server after chunk $i\n");
            respond($out, '', ''); // terminator: empty, STREAM clear
            break;
        case 'stderr':
            $chunk = str_repeat('e', 1023) . "\n";
            for ($i = 0; $i < (int) $arg; $i++) {
                fwrite(STDERR, $chunk);
            }
            respond($out, $meta, $body);
            break;
        default:
            write_frame($out, F_ERROR, [], "unknown test command: $ctx");
    }
}
