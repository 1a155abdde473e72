import { describe, expect, it } from 'vitest';
import { parseCommand } from './command.js';

describe('parseCommand', () => {
  it.each([
    ['php worker.php', ['php', 'worker.php']],
    ['php  -d memory_limit=-1 worker.php', ['php', '-d', 'memory_limit=-1', 'worker.php']],
    // viper turns a comma string into a list: Laravel Octane passes -o server.command=php,worker
    ['/usr/bin/php,/app/vendor/bin/roadrunner-worker', ['/usr/bin/php', '/app/vendor/bin/roadrunner-worker']],
    [['php', 'my worker.php'], ['php', 'my worker.php']],
    [['php worker.php'], ['php', 'worker.php']],
    ['', []],
    [undefined, []],
  ])('%j → %j', (input, argv) => {
    expect(parseCommand(input)).toEqual(argv);
  });
});
