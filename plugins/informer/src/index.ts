export { informerPlugin } from './plugin.js';
export { informerService } from './service.js';
export { workerListJson, workerStateJson } from './worker-state.js';
