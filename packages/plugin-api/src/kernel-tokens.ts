import type { ConfigView } from './config.js';
import type { LoggerFactory } from './logger.js';
import { defineToken } from './token.js';

/** The whole effective configuration; registered in every kernel container. @public */
export const configViewToken = defineToken<ConfigView>('core.config');
/** The logger factory; registered in every kernel container. @public */
export const loggerFactoryToken = defineToken<LoggerFactory>('core.loggers');
