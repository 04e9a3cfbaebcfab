// The pipeline one operation runs through: every applying plugin's `before` hook in registration order, then
// the middleware onion (first registered = outermost) around the engine, then every `after` hook in
// registration order. Failures of a stage become a PluginError naming the plugin, the operation and the stage;
// errors that merely pass through a middleware (from the engine or a later stage) are rethrown unchanged.
import { PluginError, S3dbError, ValidationError } from '../errors.js';
import { currentCallContext } from './call-context.js';
import {
  OPERATIONS,
  type CoreOperation,
  type Middleware,
  type Operation,
  type OperationArgs,
  type OperationContext,
  type OperationResults,
  type Pipeline,
  type PipelineTarget,
  type Plugin,
  type PluginHost,
  type PluginResourceInfo,
  type PluginSummary,
} from './types.js';

export type PluginStage = 'setup' | 'teardown' | 'before' | 'after' | 'middleware';

const PLUGIN_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** The default scope of a plugin: user resources only. */
export function isUserResource(resource: PluginResourceInfo): boolean {
  return resource.createdBy === 'user';
}

export function pluginError(plugin: string, stage: PluginStage, error: unknown, operation?: string, resource?: string) {
  const reason = error instanceof Error ? error.message : String(error);
  const where = operation === undefined ? stage : `${stage} ${operation}${resource ? ` on "${resource}"` : ''}`;
  return new PluginError(`Plugin "${plugin}" (${where}) failed: ${reason}`, {
    details: {
      plugin,
      stage,
      ...(operation === undefined ? {} : { operation }),
      ...(resource === undefined ? {} : { resource }),
      ...(error instanceof S3dbError ? { causeCode: error.code } : {}),
    },
    hint:
      error instanceof S3dbError && error.hint
        ? `${error.hint} (raised by plugin "${plugin}"; remove or reconfigure it if this is unexpected)`
        : `The plugin "${plugin}" rejected or broke this ${operation ?? stage}; fix what it complains about, or remove the plugin.`,
    retryable: error instanceof S3dbError ? error.retryable : false,
    cause: error,
  });
}

/** No plugin stage at all: the core runs as it is (`withoutPlugins()`). */
export const NO_PLUGINS: Pipeline = {
  async run(_target, _operation, args, core) {
    return (await core(args, { previous: false })).result;
  },
};

/** The registered plugins of one database, and how an operation runs through them. */
export class PluginPipeline implements Pipeline {
  private readonly registered: Plugin[] = [];

  /** `host` is what plugin stages see as `ctx.database`. */
  constructor(private readonly host: PluginHost) {}

  get plugins(): readonly Plugin[] {
    return this.registered;
  }

  add(plugin: Plugin): void {
    if (typeof plugin?.name !== 'string' || !PLUGIN_NAME.test(plugin.name)) {
      throw new ValidationError(`Invalid plugin name "${String(plugin?.name)}"`, {
        hint: 'A plugin needs a name of 1-64 letters, digits, _ or -, starting with a letter (e.g. "CachePlugin").',
      });
    }
    if (this.registered.some((p) => p.name === plugin.name)) {
      throw new ValidationError(`A plugin named "${plugin.name}" is already registered`, {
        details: { plugin: plugin.name },
        hint: 'Register each plugin once; give a second instance another name.',
      });
    }
    for (const kind of ['before', 'after', 'around'] as const) {
      for (const op of Object.keys(plugin[kind] ?? {})) {
        if (!(OPERATIONS as readonly string[]).includes(op)) {
          throw new ValidationError(`Plugin "${plugin.name}" has a ${kind} stage for unknown operation "${op}"`, {
            details: { plugin: plugin.name, operation: op },
            hint: `Use one of: ${OPERATIONS.join(', ')}.`,
          });
        }
      }
    }
    this.registered.push(plugin);
  }

  summaries(): PluginSummary[] {
    return this.registered.map((p) => ({
      name: p.name,
      stages: {
        before: Object.keys(p.before ?? {}) as Operation[],
        after: Object.keys(p.after ?? {}) as Operation[],
        around: p.middleware ? 'all' : (Object.keys(p.around ?? {}) as Operation[]),
      },
      details: p.describe?.() ?? {},
    }));
  }

  /** Plugins that see operations on this resource, in registration order. */
  applying(resource: PluginResourceInfo): Plugin[] {
    return this.registered.filter((p) => (p.appliesTo ? p.appliesTo(resource) : isUserResource(resource)));
  }

  /** Runs one operation: before hooks, the middleware onion around `core`, after hooks. */
  async run<Op extends Operation>(
    target: PipelineTarget,
    operation: Op,
    args: OperationArgs[Op],
    core: CoreOperation<Op>,
  ): Promise<OperationResults[Op]> {
    const name = target.resource.name;
    const plugins = this.applying({ name, createdBy: target.createdBy });
    if (plugins.length === 0) return NO_PLUGINS.run(target, operation, args, core);
    const ctx: OperationContext<Op> = {
      operation,
      resource: target.resource,
      resourceName: name,
      createdBy: target.createdBy,
      version: target.version,
      database: this.host,
      args,
      call: currentCallContext(),
      state: new Map(),
    };
    const needs = { previous: plugins.some((p) => p.wantsPrevious === true) };

    for (const p of plugins) {
      const hook = p.before?.[operation];
      if (!hook) continue;
      let out: OperationArgs[Op] | undefined | void;
      try {
        out = await hook(ctx.args, ctx);
      } catch (e) {
        throw pluginError(p.name, 'before', e, operation, name);
      }
      if (out !== undefined) ctx.args = out;
    }

    const passedThrough = new WeakSet<object>();
    let chain = async () => {
      const outcome = await core(ctx.args, needs);
      if (outcome.previous !== undefined) ctx.previous = outcome.previous;
      return outcome.result;
    };
    for (const p of [...plugins].reverse()) {
      const mw = (p.around?.[operation] ?? p.middleware) as Middleware<Op> | undefined;
      if (!mw) continue;
      const inner = chain;
      chain = async () => {
        const next = async () => {
          try {
            return await inner();
          } catch (e) {
            if (typeof e === 'object' && e !== null) passedThrough.add(e);
            throw e;
          }
        };
        try {
          return await mw(ctx, next);
        } catch (e) {
          if (typeof e === 'object' && e !== null && passedThrough.has(e)) throw e;
          throw pluginError(p.name, 'middleware', e, operation, name);
        }
      };
    }
    let result = await chain();

    for (const p of plugins) {
      const hook = p.after?.[operation];
      if (!hook) continue;
      let out: OperationResults[Op] | undefined | void;
      try {
        out = await hook(result, ctx);
      } catch (e) {
        throw pluginError(p.name, 'after', e, operation, name);
      }
      if (out !== undefined) result = out;
    }
    return result;
  }
}
