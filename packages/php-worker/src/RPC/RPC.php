<?php

declare(strict_types=1);

namespace RR\Worker\RPC;

use RR\Worker\Environment;
use RR\Worker\Goridge\Frame;
use RR\Worker\Goridge\Relay;
use RR\Worker\Goridge\RelayException;
use RR\Worker\Goridge\RelayInterface;

/**
 * Synchronous goridge RPC client for the server's RPC endpoint (`RR_RPC`).
 *
 * ```php
 * $rpc = RPC::create();                       // RR_RPC, default tcp://127.0.0.1:6001
 * $workers = $rpc->call('informer.Workers', 'http');
 * $rpc->withServicePrefix('metrics')->call('add', ['name' => 'hits', 'value' => 1]); // metrics.Add
 * ```
 */
final class RPC
{
    /** Shared by every client in the process and advanced only after a matching reply. */
    private static int $seq = 1;

    private readonly CodecInterface $codec;

    public function __construct(
        private readonly RelayInterface $relay,
        ?CodecInterface $codec = null,
        private readonly ?string $service = null,
    ) {
        $this->codec = $codec ?? new JsonCodec();
    }

    public static function create(?string $address = null): self
    {
        $address ??= Environment::fromGlobals()->getRPCAddress();

        return new self(Relay::create($address));
    }

    /** `withServicePrefix('kv')->call('mGet', …)` calls `kv.MGet`. */
    public function withServicePrefix(string $service): self
    {
        return new self($this->relay, $this->codec, $service);
    }

    public function withCodec(CodecInterface $codec): self
    {
        return new self($this->relay, $codec, $this->service);
    }

    public function getRelay(): RelayInterface
    {
        return $this->relay;
    }

    /**
     * @param mixed $options passed to the codec's decode()
     * @throws ServiceException when the server answers with an error
     * @throws RPCException when the exchange fails
     */
    public function call(string $method, mixed $payload, mixed $options = null): mixed
    {
        $method = $this->service === null ? $method : $this->service . '.' . ucfirst($method);
        $seq = self::$seq;

        try {
            $this->relay->send(new Frame($method . $this->codec->encode($payload), [$seq, strlen($method)], $this->codec->getIndex()));
            $reply = $this->relay->waitFrame();
        } catch (RelayException $e) {
            throw new RPCException(sprintf('RPC call %s over %s failed: %s', $method, $this->relay, $e->getMessage()), 0, $e);
        }

        if (count($reply->options) !== 2) {
            throw new RPCException('Invalid RPC frame, options missing');
        }
        if ($reply->options[0] !== $seq) {
            throw new RPCException(sprintf('Invalid RPC frame, sequence mismatch (sent %d, got %d)', $seq, $reply->options[0]));
        }
        self::$seq++;

        $body = (string) substr($reply->payload, $reply->options[1]);
        if ($reply->hasFlag(Frame::ERROR)) {
            throw new ServiceException(sprintf("Error '%s' on %s", $body, $this->relay));
        }

        return $this->codec->decode($body, $options);
    }
}
