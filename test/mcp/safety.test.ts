// Result safety: byte cap with a resumable cursor, confirmation of destructive tools, secret masking, error hygiene.
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { connect, structured, textOf } from './support/connect.js';
import { MemoryStore, type Database } from '../../engine/index.js';
import { engineDatabase } from './support/databases.js';

const NOTES = { name: 'notes', attributes: { body: 'string', token: 'secret' } };

async function seeded(db: Database, n: number, bodyBytes: number) {
  const mcp = await connect(db, { maxResponseBytes: 10_000 });
  await mcp.call('createResource', NOTES);
  const records = Array.from({ length: n }, (_, i) => ({
    id: `n${String(i).padStart(2, '0')}`,
    body: 'x'.repeat(bodyBytes),
    token: `t${i}`,
  }));
  await mcp.call('insertMany', { resource: 'notes', records });
  return mcp;
}

describe('byte cap', () => {
  it('drops records past the cap, says truncated, and the cursor resumes after the last one returned', async () => {
    const mcp = await seeded(await engineDatabase(), 20, 3000);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = structured<{ records: { id: string }[]; truncated: boolean; nextCursor?: string; count: number }>(
        await mcp.call('query', { resource: 'notes', ...(cursor === undefined ? {} : { cursor }) }),
      );
      expect(page.count).toBe(page.records.length);
      expect(page.records.length).toBeLessThanOrEqual(3);
      if (pages === 0) expect(page.truncated).toBe(true);
      seen.push(...page.records.map((r) => r.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined && pages < 50);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => `n${String(i).padStart(2, '0')}`));
    await mcp.close();
  });

  it('still returns one record that alone exceeds the cap', async () => {
    const mcp = await seeded(await engineDatabase(), 2, 20_000);
    const page = structured<{ count: number; truncated: boolean }>(await mcp.call('query', { resource: 'notes' }));
    expect(page).toMatchObject({ count: 1, truncated: true });
    await mcp.close();
  });
});

describe('confirmation of destructive tools', () => {
  async function withAnswer(action: 'accept' | 'decline', confirm: boolean) {
    const db = await engineDatabase();
    const mcp = await connect(db, {}, { capabilities: { elicitation: {} } });
    const asked: string[] = [];
    mcp.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return action === 'accept' ? { action, content: { confirm } } : { action };
    });
    await mcp.call('createResource', NOTES);
    await mcp.call('insert', { resource: 'notes', data: { id: 'a', body: 'keep me' } });
    return { db, mcp, asked };
  }

  it('asks the user and does nothing when declined', async () => {
    const { db, mcp, asked } = await withAnswer('decline', false);
    const result = await mcp.call('delete', { resource: 'notes', id: 'a' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^Cancelled/);
    expect(asked[0]).toMatch(/Delete document "a"/);
    expect(await db.resource('notes').exists('a')).toBe(true);
    const heal = await mcp.call('heal', { dryRun: false });
    expect(heal.isError).toBe(true);
    expect((await mcp.call('heal', { dryRun: true })).isError).toBeFalsy();
    expect(asked).toHaveLength(2);
    await mcp.close();
  });

  it('proceeds when the user confirms', async () => {
    const { db, mcp } = await withAnswer('accept', true);
    expect((await mcp.call('delete', { resource: 'notes', id: 'a' })).isError).toBeFalsy();
    expect(await db.resource('notes').exists('a')).toBe(false);
    await mcp.close();
  });

  it('without elicitation support refuses until the call carries confirm: true, never a silent delete', async () => {
    const db = await engineDatabase();
    const mcp = await connect(db);
    await mcp.call('createResource', NOTES);
    await mcp.call('insertMany', { resource: 'notes', records: [{ id: 'a' }, { id: 'b' }] });
    for (const [name, args] of [
      ['delete', { resource: 'notes', id: 'a' }],
      ['deleteMany', { resource: 'notes', ids: ['a', 'b'] }],
      ['heal', { dryRun: false }],
      ['delete', { resource: 'notes', id: 'a', confirm: false }],
    ] as const) {
      const refused = await mcp.call(name, args);
      expect(refused.isError, name).toBe(true);
      expect(textOf(refused)).toMatch(/^Error \[VALIDATION\]: .*confirmation[\s\S]*"confirm": true/);
    }
    expect(await db.resource('notes').exists('a')).toBe(true);
    expect((await mcp.call('heal', { dryRun: true })).isError).toBeFalsy();
    expect((await mcp.call('delete', { resource: 'notes', id: 'a', confirm: true })).isError).toBeFalsy();
    expect((await mcp.call('heal', { dryRun: false, confirm: true })).isError).toBeFalsy();
    expect(await db.resource('notes').exists('a')).toBe(false);
    // heal advertises the fallback argument; tools that do not ask have none added.
    const { tools } = await mcp.client.listTools();
    const props = (name: string) => Object.keys(tools.find((t) => t.name === name)!.inputSchema.properties ?? {});
    expect(props('heal')).toContain('confirm');
    expect(props('update')).not.toContain('confirm');
    await mcp.close();
  });

  it('--confirm-tools chooses which tools ask; an empty list asks nothing', async () => {
    const db = await engineDatabase();
    const mcp = await connect(db, { confirmTools: ['heal'] });
    await mcp.call('createResource', NOTES);
    await mcp.call('insert', { resource: 'notes', data: { id: 'a' } });
    expect((await mcp.call('delete', { resource: 'notes', id: 'a' })).isError).toBeFalsy();
    expect((await mcp.call('heal', { dryRun: false })).isError).toBe(true);
    await mcp.close();
    const none = await connect(await engineDatabase(), { confirmTools: [] });
    expect((await none.call('heal', { dryRun: false })).isError).toBeFalsy();
    await none.close();
  });
});

describe('secrets', () => {
  it('are revealed only with --reveal-secrets and a passphrase', async () => {
    const store = new MemoryStore();
    const writer = await connect(await engineDatabase({ store }));
    await writer.call('createResource', NOTES);
    expect((await writer.call('insert', { resource: 'notes', data: { id: 'a', token: 'tok' } })).isError).toBeFalsy();
    await writer.close();
    for (const [passphrase, reveal, expected] of [
      [true, true, 'tok'],
      [true, false, '[encrypted]'],
      [false, true, '[encrypted]'],
    ] as const) {
      const mcp = await connect(await engineDatabase({ store, passphrase }), { revealSecrets: reveal });
      const got = structured<{ record: { token: string } }>(await mcp.call('get', { resource: 'notes', id: 'a' }));
      expect(got.record.token, `passphrase=${passphrase} reveal=${reveal}`).toBe(expected);
      await mcp.close();
    }
  });

  it('cannot be written without a passphrase: an isError result that says how to set one', async () => {
    const mcp = await connect(await engineDatabase({ passphrase: false }));
    await mcp.call('createResource', NOTES);
    const result = await mcp.call('insert', { resource: 'notes', data: { id: 'a', token: 'tok' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/S3DB_SECURITY_PASSPHRASE/);
    await mcp.close();
  });
});

describe('errors', () => {
  it('an unexpected error becomes a generic message without its text or stack', async () => {
    const db = await engineDatabase();
    db.getStats = async () => {
      throw new Error('AccessDenied for AKIAXXXXXXXX secret=hunter2 at bucket internal-bucket');
    };
    const mcp = await connect(db);
    const result = await mcp.call('getStats');
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^Error \[INTERNAL\]/);
    expect(textOf(result)).not.toMatch(/AKIA|hunter2|internal-bucket/);
    await mcp.close();
  });
});
