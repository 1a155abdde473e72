<?php
// The example app's PHP worker. rr starts it once and hands it requests one after another, so
// anything set up before the loop (here: a counter) lives on between requests.
declare(strict_types=1);

require __DIR__ . '/../../packages/php-worker/src/autoload.php';

use RR\Worker\Http\Request;
use RR\Worker\Http\Response;
use RR\Worker\Http\Server;

$served = 0;
$startedAt = time();

Server::serve(static function (Request $request) use (&$served, $startedAt): Response {
    $served++;
    $name = $request->query['name'] ?? 'world';
    $name = is_string($name) && $name !== '' ? $name : 'world';

    if ($request->getPath() === '/json') {
        return Response::json(['hello' => $name, 'pid' => getmypid(), 'requests' => $served]);
    }

    $page = sprintf(
        "Hello from rr, %s!\n\nThis PHP worker (pid %d) has served %d request%s in %d s without restarting.\n"
        . "Reload the page: the count grows, because the worker stays alive between requests.\n",
        $name,
        getmypid(),
        $served,
        $served === 1 ? '' : 's',
        time() - $startedAt,
    );

    return Response::text($page);
});
