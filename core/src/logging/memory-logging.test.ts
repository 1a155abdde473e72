import { describe, expect, it } from 'vitest';
import { createMemoryLogging } from './memory-logging.js';

describe('createMemoryLogging', () => {
  it('records every level with logger name, message and a copy of the fields', async () => {
    const logging = createMemoryLogging();
    const fields = { status: 200 };
    logging.named('http').info('http log', fields);
    fields.status = 500;
    logging.named('server').debug('worker is allocated');
    expect(logging.named('http')).toBe(logging.named('http'));
    expect(logging.named('http').isEnabled('debug')).toBe(true);
    await logging.flush();
    expect(logging.records).toEqual([
      { level: 'info', logger: 'http', msg: 'http log', fields: { status: 200 } },
      { level: 'debug', logger: 'server', msg: 'worker is allocated', fields: {} },
    ]);
  });
});
