<?php

/**
 * HTTP worker without PSR-7: answers `Hello, <name>!` (name from ?name=, default "world").
 */

declare(strict_types=1);

require __DIR__ . '/../src/autoload.php';

use RR\Worker\Http\Request;
use RR\Worker\Http\Response;
use RR\Worker\Http\Server;

Server::serve(static function (Request $request): Response {
    $name = $request->query['name'] ?? 'world';

    return Response::text(sprintf('Hello, %s!', is_string($name) ? $name : 'world'));
});
