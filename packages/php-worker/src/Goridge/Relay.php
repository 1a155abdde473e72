<?php

declare(strict_types=1);

namespace RR\Worker\Goridge;

/**
 * Builds a relay from an address such as the `RR_RELAY` value.
 */
final class Relay
{
    /**
     * Accepts `pipes` (or ""), `pipes://IN:OUT` (e.g. `pipes://stdin:stdout`, opened as php://IN and
     * php://OUT), `tcp://HOST:PORT` and `unix://PATH`.
     */
    public static function create(string $address): RelayInterface
    {
        $address = trim($address);
        if ($address === '' || $address === 'pipes') {
            return new StreamRelay(self::std('STDIN', 'php://stdin', 'rb'), self::std('STDOUT', 'php://stdout', 'wb'), 'pipes');
        }
        if (preg_match('#^pipes://([a-z]+):([a-z]+)$#i', $address, $m)) {
            $in = @fopen('php://' . $m[1], 'rb');
            $out = @fopen('php://' . $m[2], 'wb');
            if ($in === false || $out === false) {
                throw new RelayException(sprintf('cannot open the streams of relay "%s"', $address));
            }

            return new StreamRelay($in, $out, $address);
        }
        if (preg_match('#^(tcp|unix)://#i', $address)) {
            return new SocketRelay($address);
        }

        throw new RelayException(sprintf(
            'unsupported relay address "%s": expected pipes, tcp://HOST:PORT or unix:///path (is RR_RELAY set correctly?)',
            $address,
        ));
    }

    /**
     * @return resource
     */
    private static function std(string $constant, string $url, string $mode)
    {
        if (defined($constant)) {
            /** @var resource $stream */
            $stream = constant($constant);

            return $stream;
        }
        $stream = @fopen($url, $mode);
        if ($stream === false) {
            throw new RelayException("cannot open $url for the pipes relay");
        }

        return $stream;
    }
}
