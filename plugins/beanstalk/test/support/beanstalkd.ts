import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';

export interface Beanstalkd {
  readonly port: number;
  readonly addr: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** Debian's beanstalkd on a free loopback port (installed by test/install-deps.sh). */
export async function startBeanstalkd(): Promise<Beanstalkd> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    let child: ChildProcess;
    try {
      child = spawn('beanstalkd', ['-l', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      throw new Error(`cannot start beanstalkd (apt-get install -y beanstalkd, or run test/install-deps.sh): ${String(err)}`);
    }
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code) => resolve(`beanstalkd exited with ${code}: ${stderr}`));
      child.once('error', (err) => resolve(`cannot start beanstalkd (apt-get install -y beanstalkd, or run test/install-deps.sh): ${err.message}`));
    });
    const deadline = Date.now() + 5_000;
    let up = false;
    let gone: string | undefined;
    void exited.then((why) => (gone = why));
    while (!up && gone === undefined && Date.now() < deadline) {
      up = await accepts(port);
      if (!up) await new Promise((r) => setTimeout(r, 20));
    }
    if (up) {
      return {
        port,
        addr: `tcp://127.0.0.1:${port}`,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      };
    }
    child.kill('SIGKILL');
    if (gone !== undefined && gone.startsWith('cannot start')) throw new Error(gone);
  }
  throw new Error('beanstalkd did not start on a free port after 5 attempts');
}
