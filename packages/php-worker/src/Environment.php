<?php

declare(strict_types=1);

namespace RR\Worker;

/**
 * The variables the server gives each worker process (RR_MODE, RR_RELAY, RR_RPC, RR_VERSION).
 */
final class Environment
{
    public const DEFAULT_RELAY = 'pipes';
    public const DEFAULT_RPC = 'tcp://127.0.0.1:6001';

    /**
     * @param array<string, mixed> $env
     */
    public function __construct(private readonly array $env = [])
    {
    }

    /**
     * Reads `getenv()`, `$_ENV` and `$_SERVER` (later sources win, like RoadRunner's library,
     * where `$_SERVER` overrides `$_ENV`).
     */
    public static function fromGlobals(): self
    {
        $env = getenv();
        foreach ([$_ENV, $_SERVER] as $source) {
            foreach ($source as $key => $value) {
                if (is_string($key) && (is_string($value) || is_int($value))) {
                    $env[$key] = (string) $value;
                }
            }
        }

        return new self($env);
    }

    /** `http`, `jobs`, ... or "" when not started by the server. */
    public function getMode(): string
    {
        return $this->get('RR_MODE', '');
    }

    public function getRelayAddress(): string
    {
        return $this->get('RR_RELAY', self::DEFAULT_RELAY);
    }

    public function getRPCAddress(): string
    {
        return $this->get('RR_RPC', self::DEFAULT_RPC);
    }

    public function getVersion(): string
    {
        return $this->get('RR_VERSION', '');
    }

    public function get(string $name, string $default = ''): string
    {
        $value = $this->env[$name] ?? null;

        return is_string($value) && $value !== '' ? $value : $default;
    }
}
