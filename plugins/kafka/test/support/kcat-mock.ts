import { spawn } from 'node:child_process';

/** kcat's (librdkafka) built-in mock Kafka cluster, one broker, on a loopback port it picks. */
export interface KafkaMock {
  readonly broker: string;
  readonly port: number;
  stop(): Promise<void>;
}

export async function startKafkaMock(): Promise<KafkaMock> {
  let child;
  try {
    child = spawn('kcat', ['-b', 'localhost:9', '-X', 'test.mock.num.brokers=1', '-C', '-t', 'rr-warm', '-d', 'broker', '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    throw new Error(`cannot start kcat (apt-get install -y kcat, or run test/install-deps.sh): ${String(err)}`);
  }
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`kcat mock cluster did not start within 10 s: ${out.slice(0, 2000)}`)), 10_000);
    child.stderr!.on('data', (c: Buffer) => {
      if (out.length < 100_000) out += c.toString();
      const m = /Mock cluster enabled.*?127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start kcat (apt-get install -y kcat, or run test/install-deps.sh): ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kcat exited with ${code}: ${out.slice(0, 2000)}`));
    });
  });
  child.stderr!.removeAllListeners('data');
  child.stderr!.resume(); // -d broker keeps logging: drain it
  return {
    port,
    broker: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
