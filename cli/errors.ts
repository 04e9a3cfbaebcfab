// Exit codes and the one place an error becomes what a person (or a script) sees: code, message, hint, no stack.
import { CommanderError } from 'commander';
import { isS3dbError } from '../engine/index.js';

/** 0 ok, 1 the operation failed (engine or store said no), 2 usage or configuration error (nothing was tried). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A mistake on the command line or in its input: exit 2, with a hint saying what to type instead. */
export class UsageError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'UsageError';
    this.hint = hint;
  }
}

export interface ErrorReport {
  code: string;
  message: string;
  hint?: string;
  exitCode: ExitCode;
}

/** What an error means for the user: the engine's code and hint when it has them, never a stack. */
export function describeError(error: unknown): ErrorReport {
  if (error instanceof UsageError) {
    return { code: 'USAGE', message: error.message, exitCode: EXIT.usage, ...hintOf(error.hint) };
  }
  if (isS3dbError(error)) {
    return {
      code: error.code,
      message: error.message,
      exitCode: error.code === 'CONFIG' ? EXIT.usage : EXIT.failed,
      ...hintOf(error.hint),
    };
  }
  if (error instanceof CommanderError) {
    return { code: 'USAGE', message: error.message.replace(/^error: /, ''), exitCode: EXIT.usage };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message, exitCode: EXIT.failed };
}

function hintOf(hint: string | undefined): { hint?: string } {
  return hint === undefined ? {} : { hint };
}
