<?php
// rr worker for the shared benchmark apps (../shared/bench/apps/*): boots the app once, then
// serves every request through the app's handler
//     fn(array $ctx, string $body): array{int, array<string, list<string>>, string}
// Usage (server.command): php worker.php APP   (APP = hello | framework)
// The apps live in RR_BENCH_APPS (bench/http/run.sh sets it), else ../shared/bench/apps next to
// the repository.
declare(strict_types=1);

use RR\Worker\Http\HttpWorker;
use RR\Worker\Worker;

require __DIR__ . '/../../packages/php-worker/src/autoload.php';

$app = $argv[1] ?? 'hello';
$apps = getenv('RR_BENCH_APPS') ?: __DIR__ . '/../../../shared/bench/apps';

// The worker must exist before the app boots: anything the app prints while booting would
// otherwise land on STDOUT, which carries the frames.
$http = new HttpWorker(Worker::create());
$handler = require $apps . '/' . $app . '/bootstrap.php';

while ($request = $http->waitRequest()) {
    try {
        // rr sends an absolute URI; the apps (and FPM's REQUEST_URI) want path + query.
        $uri = $request->uri;
        $scheme = strpos($uri, '://');
        if ($scheme !== false) {
            $slash = strpos($uri, '/', $scheme + 3);
            $uri = $slash === false ? '/' : substr($uri, $slash);
        }
        // Lower-cased names; a later spelling of the same name wins, as with a strtolower() loop.
        $headers = $request->headers === [] ? [] : array_change_key_case($request->headers, CASE_LOWER);

        [$status, $responseHeaders, $body] = $handler([
            'method' => $request->method,
            'uri' => $uri,
            'protocol' => $request->protocol,
            'remoteAddr' => $request->remoteAddr,
            'headers' => $headers,
        ], $request->body);
        $http->respond($status, $body, $responseHeaders);
    } catch (\Throwable $e) {
        $http->getWorker()->error((string) $e);
    }
}
