import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileLogsSpec, DEFAULT_FILE_NAME } from './config.js';

describe('compileLogsSpec', () => {
  it('defaults: development console at debug on stderr', () => {
    const { root, channels } = compileLogsSpec(undefined, '/srv');
    expect(root).toEqual({ threshold: 0, layout: 'console-dev', lineEnding: '\n', outputs: ['stderr'], errOutputs: ['stderr'], file: undefined });
    expect(channels.size).toBe(0);
  });

  it('resolves outputs against cwd, accepts file: URLs and the error_output alias', () => {
    const { root } = compileLogsSpec({ output: ['logs/rr.log', 'file:///var/log/rr.log', 'stdout'], error_output: 'stdout' }, '/srv/app');
    expect(root.outputs).toEqual(['/srv/app/logs/rr.log', '/var/log/rr.log', 'stdout']);
    expect(root.errOutputs).toEqual(['stdout']);
    expect(compileLogsSpec({ err_output: ['stderr'], error_output: ['stdout'] }, '/').root.errOutputs).toEqual(['stderr']);
  });

  it('fills file_logger_options defaults the way RoadRunner does (0 means default)', () => {
    const { root } = compileLogsSpec({ mode: 'raw', file_logger_options: { max_size: 0, max_backups: '3' } }, '/srv');
    expect(root.layout).toBe('json');
    expect(root.outputs).toEqual([]);
    expect(root.file).toEqual({
      path: join(tmpdir(), DEFAULT_FILE_NAME), maxBytes: 100 * 1024 * 1024, maxAgeDays: 24, maxBackups: 3, compress: false,
    });
    expect(compileLogsSpec({ file_logger_options: null }, '/').root.file).toBeUndefined();
  });

  it('treats an unknown mode like a channel without one: console at debug', () => {
    expect(compileLogsSpec({ mode: 'verbose', level: 'info' }, '/').root).toMatchObject({ layout: 'console-dev', threshold: 1 });
  });
});
