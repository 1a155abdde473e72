<?php
// Calls the server through rr's own PHP library (packages/php-worker), as application code would.
declare(strict_types=1);

require $argv[1];

use RR\Worker\RPC\RPC;
use RR\Worker\RPC\RawCodec;
use RR\Worker\RPC\ServiceException;

$rpc = RPC::create($argv[2]);
$result = ['echo' => $rpc->call('test.Echo', ['a' => 1, 'b' => [true, null]])];
$result['prefixed'] = $rpc->withServicePrefix('test')->call('echo', 'via prefix');
try {
    $rpc->call('test.Nope', 1);
    $result['error'] = null;
} catch (ServiceException $e) {
    $result['error'] = $e->getMessage();
}
$result['afterError'] = $rpc->call('test.Echo', 'still fine');
$result['version'] = $rpc->call('rpc.Version', true);
$result['configRaw'] = $rpc->withCodec(new RawCodec())->call('rpc.Config', '');
echo json_encode($result, JSON_UNESCAPED_SLASHES), "\n";
