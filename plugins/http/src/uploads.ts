import { randomInt } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { UploadsConfig } from './config.js';
import { leaf, mount, type FormTree } from './form-tree.js';
import type { Part } from './multipart.js';

/** PHP's UPLOAD_ERR_* values as RoadRunner reports them. */
export const UploadError = { OK: 0, NO_FILE: 4, NO_TMP_DIR: 6, CANT_WRITE: 7, EXTENSION: 8 } as const;

export interface UploadedFile {
  name: string;
  mime: string;
  size: number;
  error: number;
  tmpName: string;
}

function allowed(cfg: UploadsConfig, filename: string): boolean {
  const ext = extname(filename).toLowerCase();
  if (cfg.forbid.includes(ext)) return false;
  return cfg.allow.length === 0 || cfg.allow.includes(ext);
}

async function createTemp(dir: string, data: Buffer): Promise<string> {
  // Go's os.CreateTemp(dir, "upload"): the prefix and random digits, created exclusively.
  for (let attempt = 0; ; attempt++) {
    const path = join(dir, `upload${randomInt(0, 0xffffffff)}`);
    try {
      await writeFile(path, data, { flag: 'wx', mode: 0o600 });
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 100) throw err;
    }
  }
}

/**
 * Copies every file part to a temp file and builds the uploads tree (a one-segment name gets the
 * first file, `name[]` the list). Temp paths are pushed to `temps` even when the build fails half
 * way, so the caller can always remove them.
 */
export async function storeUploads(parts: readonly Part[], cfg: UploadsConfig, temps: string[]): Promise<FormTree> {
  const byName = new Map<string, UploadedFile[]>();
  for (const p of parts) {
    if (p.filename === undefined) continue;
    const file: UploadedFile = leaf({ name: p.filename, mime: p.contentType, size: 0, error: UploadError.OK, tmpName: '' });
    if (!allowed(cfg, p.filename)) {
      file.error = UploadError.EXTENSION;
    } else {
      try {
        file.tmpName = await createTemp(cfg.dir, p.data);
        temps.push(file.tmpName);
        file.size = p.data.length;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        file.error = code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR' ? UploadError.NO_TMP_DIR : UploadError.CANT_WRITE;
      }
    }
    const list = byName.get(p.name);
    if (list === undefined) byName.set(p.name, [file]);
    else list.push(file);
  }
  const tree: FormTree = {};
  for (const [name, files] of byName) mount(tree, name, files, 'first');
  return tree;
}

/** Removes temp files; missing ones (moved by PHP) are fine. */
export async function removeTemps(temps: readonly string[]): Promise<void> {
  await Promise.all(temps.map((t) => rm(t, { force: true }).catch(() => undefined)));
}
