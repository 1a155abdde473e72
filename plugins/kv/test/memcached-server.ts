// Starts a private memcached on a free loopback port for one test file, and stops it after.
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port }, () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

export interface Memcached {
  readonly addr: string;
  stop(): Promise<void>;
}

export async function startMemcached(): Promise<Memcached> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = ['-l', '127.0.0.1', '-p', String(port), '-U', '0', '-m', '16'];
    if (process.getuid?.() === 0) args.push('-u', 'root');
    let child: ChildProcess;
    try {
      child = spawn('memcached', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      throw new Error(`memcached is not installed (apt-get install -y memcached, or test/install-deps.sh): ${String(err)}`);
    }
    let exited = false;
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => { stderr += c; });
    const gone = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
    child.once('error', () => { exited = true; });
    // Bounded wait for the port to accept connections.
    const start = Date.now();
    while (!exited && Date.now() - start < 5000) {
      if (await answers(port)) {
        return {
          addr: `127.0.0.1:${port}`,
          stop: async () => { if (!exited) { child.kill('SIGTERM'); await gone; } },
        };
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    if (!exited) { child.kill('SIGKILL'); await gone; }
    if (!/bind|address already in use/i.test(stderr) && attempt === 2) {
      throw new Error(`memcached did not start (is it installed? apt-get install -y memcached): ${stderr}`);
    }
  }
  throw new Error('memcached did not start on a free port after 3 attempts');
}
