<?php

/**
 * PSR-7 worker (Nyholm, Debian package php-nyholm-psr7): answers with a JSON document describing
 * the request: {"method", "uri", "headers", "body"}.
 */

declare(strict_types=1);

require __DIR__ . '/../src/autoload.php';
require 'Nyholm/Psr7/autoload.php';

use Nyholm\Psr7\Factory\Psr17Factory;
use RR\Worker\Http\PSR7Worker;
use RR\Worker\Worker;

$worker = Worker::create();
$factory = new Psr17Factory();
$psr7 = new PSR7Worker($worker, $factory, $factory, $factory);

while ($request = $psr7->waitRequest()) {
    try {
        $json = json_encode([
            'method' => $request->getMethod(),
            'uri' => (string) $request->getUri(),
            'headers' => $request->getHeaders(),
            'body' => (string) $request->getBody(),
        ], JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE);
        $psr7->respond(
            $factory->createResponse(200)
                ->withHeader('Content-Type', 'application/json')
                ->withBody($factory->createStream($json)),
        );
    } catch (\Throwable $e) {
        $psr7->getWorker()->error((string) $e);
    }
}
