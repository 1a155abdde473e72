import { readFile } from 'node:fs/promises';
import type { PluginEntry } from '@rr/kernel';

/**
 * The plugins shipped with rr, in registration order (RoadRunner's container/plugins.go). Order here
 * only breaks ties: dependencies decide the start order. Imported lazily so `rr --version` stays fast.
 */
const BUILTIN: ReadonlyArray<{ packageName: string; exportName: string }> = [
  { packageName: '@rr/plugin-rpc', exportName: 'rpcPlugin' },
  { packageName: '@rr/plugin-informer', exportName: 'informerPlugin' },
  { packageName: '@rr/plugin-resetter', exportName: 'resetterPlugin' },
  { packageName: '@rr/plugin-pool', exportName: 'poolPlugin' },
  { packageName: '@rr/plugin-http', exportName: 'httpPlugin' },
  { packageName: '@rr/plugin-static', exportName: 'staticPlugin' },
  { packageName: '@rr/plugin-headers', exportName: 'headersPlugin' },
  { packageName: '@rr/plugin-gzip', exportName: 'gzipPlugin' },
  { packageName: '@rr/plugin-sendfile', exportName: 'sendfilePlugin' },
  { packageName: '@rr/plugin-kv', exportName: 'kvPlugin' },
  { packageName: '@rr/plugin-memory', exportName: 'memoryPlugin' },
  { packageName: '@rr/plugin-redis', exportName: 'redisPlugin' },
  { packageName: '@rr/plugin-lock', exportName: 'lockPlugin' },
  { packageName: '@rr/plugin-memcached', exportName: 'memcachedPlugin' },
  { packageName: '@rr/plugin-boltdb', exportName: 'boltdbPlugin' },
  { packageName: '@rr/plugin-jobs', exportName: 'jobsPlugin' },
  { packageName: '@rr/plugin-proxy_ip_parser', exportName: 'proxyIpParserPlugin' },
  { packageName: '@rr/plugin-metrics', exportName: 'metricsPlugin' },
  { packageName: '@rr/plugin-status', exportName: 'statusPlugin' },
  { packageName: '@rr/plugin-http-metrics', exportName: 'httpMetricsPlugin' },
  { packageName: '@rr/plugin-sqs', exportName: 'sqsPlugin' },
  { packageName: '@rr/plugin-beanstalk', exportName: 'beanstalkPlugin' },
  { packageName: '@rr/plugin-kafka', exportName: 'kafkaPlugin' },
  { packageName: '@rr/plugin-amqp', exportName: 'amqpPlugin' },
  { packageName: '@rr/plugin-nats', exportName: 'natsPlugin' },
];

export async function builtinEntries(): Promise<PluginEntry[]> {
  // All at once: the packages share most of their imports, and the loader overlaps their file reads.
  // Promise.all keeps the registration order of BUILTIN whatever order they finish in.
  return Promise.all(BUILTIN.map(async ({ packageName, exportName }): Promise<PluginEntry> => {
    const [mod, version] = await Promise.all([
      import(packageName) as Promise<Record<string, unknown>>,
      packageVersionOf(packageName),
    ]);
    return { plugin: mod[exportName] as PluginEntry['plugin'], source: 'builtin', packageName, packageVersion: version };
  }));
}

/** Only the version is needed: a plain read skips the loader's JSON-module path. */
async function packageVersionOf(packageName: string): Promise<string> {
  try {
    const manifest = JSON.parse(await readFile(new URL(import.meta.resolve(`${packageName}/package.json`)), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
