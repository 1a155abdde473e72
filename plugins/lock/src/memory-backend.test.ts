import { describe } from 'vitest';
import { backendContract } from '../test/backend-contract.js';
import { MemoryLockBackend } from './memory-backend.js';

describe('memory lock backend', () => {
  backendContract(async () => new MemoryLockBackend());
});
