// The shape of one tool: a plain object, registered in a loop by the server. Annotations come from the kind.
import type { z } from 'zod';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { ToolContext } from './context.js';

export const TOOL_KINDS = ['read', 'create', 'update', 'delete', 'admin'] as const;
export type ToolKind = (typeof TOOL_KINDS)[number];

export interface ToolDefinition<Input extends z.ZodObject = z.ZodObject, Output extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  /** What it does, when to use it, and an example call. */
  description: string;
  kind: ToolKind;
  inputSchema: Input;
  outputSchema: Output;
  /** Throws S3dbError (or anything); the server maps failures to an isError result. */
  handler(args: z.output<Input>, ctx: ToolContext): Promise<ToolOutput<z.output<Output>>>;
}

/** A handler's successful result: structured data plus its text form (documents already wrapped). */
export interface ToolOutput<T> {
  structuredContent: T;
  text: string;
}

export interface ToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: false;
}

/** The one place annotations are derived: every tool of a kind behaves alike for the client. */
export function annotationsFor(tool: Pick<ToolDefinition, 'kind' | 'title'>): ToolAnnotations {
  return {
    title: tool.title,
    readOnlyHint: tool.kind === 'read',
    destructiveHint: tool.kind === 'delete' || tool.kind === 'update' || tool.kind === 'admin',
    idempotentHint: tool.kind !== 'create',
    // Only the configured bucket is touched: a closed world.
    openWorldHint: false,
  };
}

/** True for tools that may write; read-only mode does not register them. */
export function isWriteTool(tool: Pick<ToolDefinition, 'kind'>): boolean {
  return tool.kind !== 'read';
}

/** Keeps the input/output types of one definition while letting the list hold them all. */
export function defineTool<Input extends z.ZodObject, Output extends z.ZodObject>(
  tool: ToolDefinition<Input, Output>,
): ToolDefinition<Input, Output> {
  return tool;
}

export type { CallToolResult };
