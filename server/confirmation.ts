// Confirmation before a destructive call, on every transport. Three ways to get the user's answer, tried in order:
// 1. the retried call already carries it (2026-07-28 retry-with-input: the client answered our input request);
// 2. the client can be asked: we return an input request (`inputRequired`) — a 2026-07-28 client answers and
//    retries, stateless; on a 2025 session (stdio, SSE) the SDK's shim asks with elicitation/create and re-enters;
// 3. it cannot be asked (a 2025 client on stateless HTTP, or no elicitation capability): the call must carry
//    `confirm: true`, or it is refused with a hint saying so. Never a silent delete.
import { z } from 'zod';
import { acceptedContent, inputRequired, type InputRequiredResult } from '@modelcontextprotocol/server';
import { ValidationError } from '../engine/index.js';
import type { ToolDefinition } from '../tools/index.js';

const ANSWER_KEY = 'confirm';
const answerSchema = z.object({ confirm: z.boolean().describe('Yes, go ahead') });

/** Thrown by ctx.confirm when the client must be asked; create-server turns it into an input request. */
export class ConfirmationNeeded extends Error {
  constructor(readonly question: string) {
    super(question);
    this.name = 'ConfirmationNeeded';
  }
}

export interface ConfirmationRequest {
  tool: string;
  args: unknown;
  /** Whether the client can answer an input request on this transport and era. */
  canAsk: boolean;
  /** The retried call's answers (2026-07-28), when there are any. */
  inputResponses: Record<string, unknown> | undefined;
}

/**
 * The answer for one call, or a thrown ConfirmationNeeded (ask) / ValidationError (cannot ask, no confirm: true).
 */
export function confirmationAnswer(request: ConfirmationRequest, question: string): boolean {
  if (request.inputResponses !== undefined && Object.hasOwn(request.inputResponses, ANSWER_KEY)) {
    return acceptedContent(request.inputResponses, ANSWER_KEY, answerSchema)?.confirm === true;
  }
  if (request.canAsk) throw new ConfirmationNeeded(question);
  if ((request.args as { confirm?: unknown } | null)?.confirm === true) return true;
  throw new ValidationError(`${request.tool} needs the user's confirmation, and this client cannot be asked.`, {
    hint:
      `Ask the user: "${question}" If they agree, repeat the same call with "confirm": true added. ` +
      'Nothing was changed.',
  });
}

/** The input request a client answers (a form with one boolean) before retrying the call. */
export function askToConfirm(question: string): InputRequiredResult {
  return inputRequired({
    inputRequests: { [ANSWER_KEY]: inputRequired.elicit({ message: question, requestedSchema: answerSchema }) },
  });
}

/**
 * A tool that asks for confirmation takes `confirm: true` as the answer of a client that cannot be asked; the
 * tools that already have a `confirm` argument (paranoid deletes) keep theirs.
 */
export function withConfirmArgument(tool: ToolDefinition, confirmTools: ReadonlySet<string>): z.ZodObject {
  if (!confirmTools.has(tool.name) || Object.hasOwn(tool.inputSchema.shape, 'confirm')) return tool.inputSchema;
  // Built once per tool: a server is made per stateless request, and the schema must stay the same object for
  // its JSON Schema to be cached (schema-cache.ts).
  let extended = extendedSchemas.get(tool.inputSchema);
  if (extended === undefined) {
    extended = tool.inputSchema.extend({
      confirm: z.boolean().optional().describe('true once the user agreed (for clients that cannot ask)'),
    });
    extendedSchemas.set(tool.inputSchema, extended);
  }
  return extended;
}

const extendedSchemas = new WeakMap<z.ZodObject, z.ZodObject>();
