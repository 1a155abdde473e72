import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runPhpSuite(): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'php',
      ['tests/run.php'],
      { cwd: packageDir, timeout: 25_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new Error('php is not installed: the PHP worker library tests need php-cli (apt-get install -y php-cli)'));
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// The PHP library is tested by PHP scripts that drive real worker processes; this file only
// makes the workspace test run include them.
describe('@rr/php-worker PHP test suite', () => {
  it('passes every PHP test (php tests/run.php)', async () => {
    const { code, stdout, stderr } = await runPhpSuite();
    const summary = /(\d+) passed, (\d+) failed/.exec(stdout);
    const failures = stdout.split('\n').filter((line) => line.startsWith('FAIL'));
    expect(failures, `${stdout}\n${stderr}`).toEqual([]);
    expect(summary, `no summary line in the output:\n${stdout}\n${stderr}`).not.toBeNull();
    expect(Number(summary?.[1])).toBeGreaterThan(50);
    expect(Number(summary?.[2])).toBe(0);
    expect(code).toBe(0);
  });
});
