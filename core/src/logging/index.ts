export { createLogging, type Logging, type LoggingOptions } from './logging.js';
export { createMemoryLogging, type MemoryRecord } from './memory-logging.js';
export { logsSchema } from './logs-schema.js';
