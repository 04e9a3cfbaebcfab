// Hooks: per resource, per event, an ordered list of named stages. Each stage returns the (possibly changed)
// value — undefined keeps it — or throws to veto; the veto names the hook. Plugins build on this runner.
import { PluginError, S3dbError, ValidationError } from './errors.js';
import { HOOK_EVENTS, type HookContext, type HookEvent, type HookFunction } from './types.js';

export interface HookStage {
  name: string;
  fn: HookFunction;
}

export function assertHookEvent(event: string): asserts event is HookEvent {
  if (!(HOOK_EVENTS as readonly string[]).includes(event)) {
    throw new ValidationError(`Unknown hook event "${event}"`, {
      details: { event },
      hint: `Use one of: ${HOOK_EVENTS.join(', ')}.`,
    });
  }
}

export class HookRunner {
  private readonly stages = new Map<HookEvent, HookStage[]>();

  add(event: HookEvent, fn: HookFunction, name?: string): void {
    assertHookEvent(event);
    const list = this.stages.get(event) ?? [];
    list.push({ name: name ?? (fn.name || `${event}#${list.length + 1}`), fn });
    this.stages.set(event, list);
  }

  has(event: HookEvent): boolean {
    return (this.stages.get(event)?.length ?? 0) > 0;
  }

  /** Runs the stages of `event` in registration order. */
  async run<T>(event: HookEvent, value: T, context: HookContext): Promise<T> {
    let current = value;
    for (const stage of this.stages.get(event) ?? []) {
      try {
        const out = await stage.fn(current, context);
        if (out !== undefined) current = out as T;
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        throw new PluginError(
          `Hook "${stage.name}" (${event} on "${context.resource}") rejected the operation: ${reason}`,
          {
            details: {
              hook: stage.name,
              event,
              resource: context.resource,
              ...(context.id === undefined ? {} : { id: context.id }),
              ...(e instanceof S3dbError ? { causeCode: e.code } : {}),
            },
            hint: 'The hook vetoed this write or read; fix what it complains about, or remove the hook.',
            cause: e,
          },
        );
      }
    }
    return current;
  }
}

/** The functions definitions refer to by name (`hooks: { beforeInsert: ['name'] }`), registered per process. */
export class HookRegistry {
  private readonly functions = new Map<string, HookFunction>();

  register(name: string, fn: HookFunction): void {
    if (typeof name !== 'string' || name === '' || typeof fn !== 'function') {
      throw new ValidationError('registerHook needs a name and a function', { hint: 'db.registerHook("name", fn)' });
    }
    this.functions.set(name, fn);
  }

  get(name: string): HookFunction | undefined {
    return this.functions.get(name);
  }

  has(name: string): boolean {
    return this.functions.has(name);
  }

  names(): string[] {
    return [...this.functions.keys()];
  }
}
