import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const packageJson = new URL('../package.json', import.meta.url);

/** rr's calendar version, from the CLI package (e.g. 2026.1.0): Octane requires ≥ 2023.3.0. */
export function rrVersion(): string {
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

/** When this CLI was compiled: the compiled entry file's modification time, in RoadRunner's format. */
export function buildTime(): string {
  const mtime = statSync(fileURLToPath(import.meta.url)).mtime;
  return mtime.toISOString().replace(/\.\d{3}Z$/, '+0000');
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' };

/**
 * The `rr --version` line. The first word is always `rr` and the third the version, because Laravel
 * Octane and roadrunner-php/version-checker parse exactly that.
 */
export function versionLine(): string {
  const arch = GO_ARCH[process.arch] ?? process.arch;
  return `rr version ${rrVersion()} (build time: ${buildTime()}, node ${process.version}), OS: ${process.platform}, arch: ${arch}`;
}
