<?php
// PHP side of bench/kv: times kv.Set / kv.MGet and lock.Lock+Release pairs over rr's RPC, the way
// PHP clients call them (one synchronous connection). argv: storages (comma list), ops per figure.
declare(strict_types=1);

require dirname(__DIR__, 2) . '/packages/php-worker/src/autoload.php';

use RR\Worker\KeyValue\Factory;
use RR\Worker\KeyValue\ProtobufCodec;
use RR\Worker\KeyValue\Proto;
use RR\Worker\RPC\RPC;

[, $storages, $n] = $argv;
$n = (int) $n;
$factory = Factory::create(getenv('RR_RPC'));
$value = str_repeat('x', 100);
$out = [];
foreach (array_filter(explode(",", $storages)) as $storage) {
    $cache = $factory->select($storage);
    $t = hrtime(true);
    for ($i = 0; $i < $n; $i++) {
        $cache->set("k$i", $value);
    }
    $out["$storage Set"] = $n / ((hrtime(true) - $t) / 1e9);
    $t = hrtime(true);
    for ($i = 0; $i < $n; $i++) {
        $cache->get("k$i");
    }
    $out["$storage MGet (1 key)"] = $n / ((hrtime(true) - $t) / 1e9);
    $keys = array_map(static fn (int $i): string => "k$i", range(0, 99));
    $t = hrtime(true);
    for ($i = 0; $i < intdiv($n, 10); $i++) {
        $cache->getMultiple($keys);
    }
    $out["$storage MGet (100 keys), keys/s"] = intdiv($n, 10) * 100 / ((hrtime(true) - $t) / 1e9);
    $cache->clear();
}
$rpc = RPC::create(getenv('RR_RPC'))->withCodec(new ProtobufCodec());
$t = hrtime(true);
for ($i = 0; $i < $n; $i++) {
    Proto::lockResponse($rpc->call('lock.Lock', Proto::lockRequest('bench', 'me', 10_000_000, 0))) || exit(2);
    Proto::lockResponse($rpc->call('lock.Release', Proto::lockRequest('bench', 'me'))) || exit(3);
}
$out['lock Lock+Release pairs'] = $n / ((hrtime(true) - $t) / 1e9);
echo json_encode($out), "\n";
