<?php
// A pool test worker on rr's own PHP library (packages/php-worker): it announces "prefetch": true in
// its pid reply and asks to be restarted when the script leaves between requests. Used by
// prefetch.test.ts; the raw worker (worker.php) announces nothing.
//
// Environment:
//   TEST_LEDGER=f   append "<pid> <context> <body>" to f for every request this process reads
//                   (tells the tests which process ran a request, and how many times)
//
// Each request's context selects what to do; the body is the data:
//   echo            answer {"pid":..,"execs":..} + the body
//   gate:FIFO       open FIFO for reading (blocks until the test opens it for writing), read it to
//                   its end, then echo: an event gate, no sleeping
//   sleep:MS        sleep MS milliseconds, then echo
//   hang            sleep forever (for exec_ttl)
//   crash           SIGKILL itself mid-request
//   exit            exit(7) mid-request (the library sends nothing: it holds a request)
//   quit-after      echo, then leave the loop: the script ends between requests (the library's
//                   shutdown function sends a restart request)
//   stop            ask to be restarted ($worker->stop()) instead of answering, then go on with the
//                   loop as RoadRunner's examples do (the server's stop command ends it)
//   stoponce:FILE   like stop when FILE does not exist (and creates it), else echo
//   softstop        an error, then a restart request (Laravel Octane on an exception)
//   soft            answer an error (soft error) with the body as message
//   stream:N[:FIFO] (after the gate FIFO, if given) N-1 chunks (eos=false; the library PINGs every
//                   5th on pipes and waits for the PONG), then a final chunk; chunk i is "chunk<i>;".
//                   A stream the server stops ends quietly (as in HttpWorker)
//   streamsoft:N    N chunks, then an error in the middle of the stream

declare(strict_types=1);

require __DIR__ . '/../../../../packages/php-worker/src/autoload.php';

use RR\Worker\Exception\StreamStoppedException;
use RR\Worker\Payload;
use RR\Worker\Worker;

/** Blocks until the test opens the FIFO for writing, then reads it to its end. */
function passGate(string $fifo): void
{
    $f = fopen($fifo, 'r');
    while (!feof($f)) {
        fread($f, 8192);
    }
    fclose($f);
}

$ledger = getenv('TEST_LEDGER') ?: '';
$worker = Worker::create();
$execs = 0;

while (($payload = $worker->waitPayload()) !== null) {
    $execs++;
    $ctx = $payload->header;
    $body = $payload->body;
    if ($ledger !== '') {
        file_put_contents($ledger, getmypid() . " $ctx $body\n", FILE_APPEND | LOCK_EX);
    }
    $arg = '';
    if (($p = strpos($ctx, ':')) !== false) {
        $arg = substr($ctx, $p + 1);
        $ctx = substr($ctx, 0, $p);
    }
    $meta = json_encode(['pid' => getmypid(), 'execs' => $execs]);
    switch ($ctx) {
        case 'echo':
            $worker->respond(new Payload($body, $meta));
            break;
        case 'gate':
            passGate($arg);
            $worker->respond(new Payload($body, $meta));
            break;
        case 'sleep':
            usleep((int) $arg * 1000);
            $worker->respond(new Payload($body, $meta));
            break;
        case 'hang':
            fwrite(STDERR, "hanging forever\n");
            while (true) {
                sleep(1000);
            }
        case 'crash':
            fwrite(STDERR, "about to die in the middle of a request\n");
            posix_kill(getmypid(), SIGKILL);
            sleep(10);
            break;
        case 'exit':
            fwrite(STDERR, "exiting with 7 in the middle of a request\n");
            exit(7);
        case 'quit-after':
            $worker->respond(new Payload($body, $meta));
            break 2;
        case 'stoponce':
            // Only the first process to see this request (per flag file) asks to be restarted.
            if (file_exists($arg)) {
                $worker->respond(new Payload($body, $meta));
                break;
            }
            touch($arg);
            // no break
        case 'stop':
            $worker->stop();
            break;
        case 'softstop':
            $worker->error($body);
            $worker->stop();
            break;
        case 'soft':
            $worker->error($body);
            break;
        case 'stream':
            [$n, $fifo] = array_pad(explode(':', $arg, 2), 2, '');
            $n = (int) $n;
            if ($fifo !== '') {
                passGate($fifo);
            }
            try {
                for ($i = 1; $i < $n; $i++) {
                    $worker->respond(new Payload("chunk$i;", $meta, false));
                }
                $worker->respond(new Payload("chunk$n;", $meta));
            } catch (StreamStoppedException) {
                // What HttpWorker does: the library already ended the stream; serve the next request.
                fwrite(STDERR, "stream stopped by the server before chunk $i\n");
            }
            break;
        case 'streamsoft':
            $n = (int) $arg;
            for ($i = 1; $i <= $n; $i++) {
                $worker->respond(new Payload("chunk$i;", $meta, false));
            }
            $worker->error("failed after chunk $n");
            break;
        default:
            $worker->error("unknown test command: $ctx");
    }
}
fwrite(STDERR, "the loop ended (pid " . getmypid() . ")\n");
