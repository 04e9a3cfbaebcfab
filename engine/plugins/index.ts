// Plugins: the pipeline contract (types, runner, call context) and the built-in plugins.
export * from './types.js';
export { PluginPipeline, isUserResource, pluginError } from './pipeline.js';
export type { PipelineTarget, PluginStage } from './pipeline.js';
export { currentCallContext, runWithCallContext } from './call-context.js';
export type { CallContext } from './call-context.js';
export * from './cache/index.js';
export * from './audit/index.js';
export * from './metrics/index.js';
export * from './fulltext/index.js';
