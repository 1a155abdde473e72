export * from './errors/codes.js';
export * from './errors/rr-error.js';
export * from './logging/index.js';
export { createKernel } from './kernel/kernel.js';
export { reportToDot } from './kernel/report-dot.js';
export type {
  Kernel, KernelOptions, KernelResolveError, PluginEntry, PluginReport, ReportEdge, ResolutionReport, StopOutcome,
} from './kernel/types.js';
export type { KernelState } from './lifecycle/states.js';
export * from './config/index.js';
