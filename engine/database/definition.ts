// Checking a resource definition from createResource before it becomes a catalog version: the name rule,
// behavior, schema, partitions (never on a secret field) and named hooks (registered in this process).
import type { CatalogResource, VersionDefinition } from '../catalog/index.js';
import { ValidationError } from '../errors.js';
import { assertHookEvent, type HookRegistry } from '../hooks.js';
import { isResourceName, RESOURCE_NAME_RULE } from '../keys.js';
import { normalizePartitions } from '../partitions/index.js';
import { compileSchema } from '../schema/index.js';
import { BEHAVIORS, type HookEvent, type ResourceDefinitionInput } from '../types.js';

export function checkDefinition(def: ResourceDefinitionInput, hooks: HookRegistry): VersionDefinition {
  if (!isResourceName(def?.name)) {
    throw new ValidationError(`Invalid resource name "${String(def?.name)}"`, {
      issues: [{ path: 'name', message: RESOURCE_NAME_RULE }],
      hint: 'Use a name like "users" or "order_items".',
    });
  }
  const behavior = def.behavior ?? 'body-overflow';
  if (!(BEHAVIORS as readonly string[]).includes(behavior)) {
    throw new ValidationError(`Unknown behavior "${behavior}"`, {
      issues: [{ path: 'behavior', message: `must be one of ${BEHAVIORS.join(', ')}` }],
      hint: `Use one of: ${BEHAVIORS.join(', ')}.`,
    });
  }
  const timestamps = def.timestamps === true;
  const schema = compileSchema(def.attributes, { timestamps });
  const partitions = normalizePartitions(schema.fieldTypes, def.partitions);
  for (const name of Object.keys(partitions)) {
    for (const field of Object.keys(partitions[name]!.fields)) {
      if (schema.secretPaths.includes(field)) {
        throw new ValidationError(`Partition "${name}" cannot use secret field "${field}"`, {
          details: { partition: name, field },
          hint: 'A partition key is stored in clear in the object key; pick a non-secret field.',
        });
      }
    }
  }
  return {
    attributes: def.attributes,
    behavior,
    partitions,
    timestamps,
    paranoid: def.paranoid === true,
    hooks: checkHooks(def.hooks, hooks),
  };
}

function checkHooks(
  given: ResourceDefinitionInput['hooks'],
  registry: HookRegistry,
): Partial<Record<HookEvent, string[]>> {
  const hooks: Partial<Record<HookEvent, string[]>> = {};
  for (const [event, names] of Object.entries(given ?? {})) {
    assertHookEvent(event);
    for (const name of names ?? []) {
      if (!registry.has(name)) {
        const known = registry.names();
        throw new ValidationError(`Hook "${name}" (${event}) is not registered`, {
          details: { hook: name, event },
          hint: known.length
            ? `Register it first with db.registerHook, or use one of: ${known.join(', ')}.`
            : 'Register it first with db.registerHook(name, fn).',
        });
      }
    }
    if (names && names.length > 0) hooks[event] = [...names];
  }
  return hooks;
}

/**
 * Throws when `next` gives a non-secret type to a path that is secret in some version of `existing`: its stored
 * values are ciphertext, and a plaintext type would invite writing (and filtering) them in clear.
 */
export function refuseSecretRetype(name: string, existing: CatalogResource, next: VersionDefinition): void {
  const compiled = compileSchema(next.attributes, { timestamps: next.timestamps });
  const nowSecret = new Set(compiled.secretPaths);
  for (const [version, def] of Object.entries(existing.versions)) {
    for (const path of compileSchema(def.attributes, { timestamps: def.timestamps }).secretPaths) {
      if (nowSecret.has(path) || !Object.hasOwn(compiled.fieldTypes, path)) continue;
      throw new ValidationError(`"${path}" of "${name}" was secret (${version}) and cannot become non-secret`, {
        details: { resource: name, field: path, version },
        issues: [{ path: `attributes.${path}`, message: `was secret in ${version}; keep it 'secret' or remove it` }],
        hint: 'Keep the field secret, remove it, or store the new values under a new field name. (Engine option allowSecretRetype overrides this; old values stay masked.)',
      });
    }
  }
}
