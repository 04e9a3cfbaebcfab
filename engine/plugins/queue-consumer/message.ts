// The message a queue consumer applies: its shape (validated with zod), and how it becomes one engine operation
// that is safe to apply again when the queue redelivers it (at-least-once delivery, exactly-once in effect).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { RESOURCE_NAME_PATTERN, RESOURCE_NAME_RULE } from '../../keys.js';
import type { ResourceApi } from '../../pipeline/index.js';

export const MESSAGE_ACTIONS = ['insert', 'update', 'upsert', 'delete'] as const;
export type MessageAction = (typeof MESSAGE_ACTIONS)[number];

export const messageSchema = z
  .strictObject({
    resource: z.string().regex(RESOURCE_NAME_PATTERN, RESOURCE_NAME_RULE),
    action: z.enum(MESSAGE_ACTIONS),
    id: z.string().min(1).max(256).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((m, ctx) => {
    if ((m.action === 'update' || m.action === 'delete') && m.id === undefined) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: `is required for ${m.action}` });
    }
    if (m.action !== 'delete' && m.data === undefined) {
      ctx.addIssue({ code: 'custom', path: ['data'], message: `is required for ${m.action}` });
    }
  });

export type QueueMessage = z.infer<typeof messageSchema>;

/** The message in a delivery's body, or a ValidationError naming what is wrong (such a message is poison). */
export function parseMessage(body: Buffer): QueueMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ValidationError('The message body is not JSON', {
      hint: 'Send {"resource","action","id"?,"data"?} as a JSON body.',
    });
  }
  const parsed = messageSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(message)', message: i.message }));
    throw new ValidationError(`Invalid message: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, {
      issues,
      hint: 'A message is {"resource": name, "action": insert|update|upsert|delete, "id"?: string, "data"?: object}.',
    });
  }
  return parsed.data;
}

/** The id an insert without one gets: derived from the message id, so a redelivery inserts the same document. */
export function idForMessage(messageId: string): string {
  return `q${createHash('sha256').update(messageId, 'utf8').digest('base64url').slice(0, 21)}`;
}

/** What applying a message did: `applied`, or `duplicate` when a redelivery found its effect already there. */
export type Outcome = 'applied' | 'duplicate';

/**
 * Applies one message. A redelivered message changes nothing more: an insert finds its id taken (duplicate), a
 * delete finds the document gone (duplicate), update and upsert write the same values again.
 */
export async function applyMessage(resource: ResourceApi, message: QueueMessage, messageId: string): Promise<Outcome> {
  switch (message.action) {
    case 'insert': {
      const id = message.id ?? (typeof message.data?.id === 'string' ? message.data.id : idForMessage(messageId));
      try {
        await resource.insert({ ...message.data, id });
        return 'applied';
      } catch (e) {
        // A duplicate only when the document is really there: acknowledging anything else would lose the message.
        if (e instanceof ConflictError && (await resource.exists(id))) return 'duplicate';
        throw e;
      }
    }
    case 'update':
      await resource.update(message.id!, message.data ?? {});
      return 'applied';
    case 'upsert':
      await resource.upsert({ ...message.data, ...(message.id === undefined ? {} : { id: message.id }) });
      return 'applied';
    case 'delete':
      try {
        await resource.delete(message.id!, { confirm: true });
        return 'applied';
      } catch (e) {
        if (e instanceof NotFoundError) return 'duplicate';
        throw e;
      }
  }
}
