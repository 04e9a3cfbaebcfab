// The write tools reach a resource through here: resources a plugin owns (the audit log, …) are the plugin's to
// write, so an agent cannot forge or erase them through insert/update/upsert/delete unless the server says so.
import { ValidationError } from '../engine/index.js';
import type { ToolContext, ToolResource } from './context.js';

/** The resource `name` for a write tool; a VALIDATION error when a plugin owns it and the server does not allow it. */
export function writableResource(ctx: Pick<ToolContext, 'db' | 'limits'>, name: string): ToolResource {
  const resource = ctx.db.resource(name);
  if (resource.createdBy === 'user' || ctx.limits.writablePluginResources) return resource;
  throw new ValidationError(`Resource "${name}" belongs to ${resource.createdBy} and is written only by it`, {
    details: { resource: name, createdBy: resource.createdBy },
    hint:
      'Read it with query/get/count. Writing a plugin-owned resource through the tools needs the server ' +
      'flag --writable-plugin-resources.',
  });
}
