// s3db for people, in a pseudo-terminal (util-linux script): tables that fit the width, colour unless NO_COLOR,
// errors with code and hint and no stack, and a delete that asks first unless --yes.
/* eslint-disable no-control-regex -- these tests read terminal escape sequences */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runBin, runInTerminal, visible } from './support.js';

let bin: string;
let scratch: string;
let env: Record<string, string>;
beforeAll(async () => {
  bin = buildCli();
  scratch = mkdtempSync(join(tmpdir(), 's3db-cli-tty-'));
  env = { S3DB_CONNECTION: `file://${join(scratch, 'data')}` };
  const setup = [
    ['create', 'people', '-a', 'name:string|required,team:string,bio:string', '-p', 'byTeam=team'],
    [
      'insert',
      'people',
      '-d',
      JSON.stringify([
        { id: 'ada', name: 'Ada Lovelace', team: 'red', bio: 'wrote the first program '.repeat(8) },
        { id: 'bob', name: 'Bob', team: 'blue', bio: 'short' },
      ]),
    ],
  ];
  for (const args of setup) expect((await runBin(bin, args, { env })).code).toBe(0);
  // Compiling takes ~10 s alone, minutes when other suites share the machine.
}, 600_000);
afterAll(() => {
  rmSync(dirname(dirname(bin)), { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

describe('s3db in a terminal', { timeout: 240_000 }, () => {
  it('draws tables no wider than the terminal, with colour', async () => {
    for (const cols of [100, 40]) {
      const ran = await runInTerminal(bin, ['query', 'people'], { env, cols });
      expect(ran.code).toBe(0);
      const plain = visible(ran.stdout);
      const rows = plain.split(/\r?\n/).filter((l) => l.startsWith('│') || l.startsWith('┌'));
      expect(rows.length).toBeGreaterThanOrEqual(4);
      for (const row of rows) expect([...row].length, row).toBeLessThanOrEqual(cols);
      expect(plain).toMatch(/│ ada\s+│ Ada Lovel/);
      expect(plain).toMatch(/2 document\(s\) · plan scan/);
      expect(ran.stdout).toMatch(/\u001b\[1m/); // bold header
      expect(ran.stdout).not.toMatch(/^\{"records"/m); // no JSON for people
    }
  });

  it('respects NO_COLOR and --no-color, and --json gives JSON even on a terminal', async () => {
    for (const extra of [
      { env: { ...env, NO_COLOR: '1' }, args: [] },
      { env, args: ['--no-color'] },
    ]) {
      const ran = await runInTerminal(bin, ['partitions', 'people', 'byTeam', ...extra.args], { env: extra.env });
      expect(ran.code).toBe(0);
      expect(ran.stdout).toMatch(/│ blue\s+│ 1\s+│/);
      expect(ran.stdout).not.toMatch(/\u001b\[(1|2|3\d)m/);
    }
    const json = await runInTerminal(bin, ['count', 'people', '--json'], { env });
    expect(JSON.parse(visible(json.stdout).trim())).toMatchObject({ count: 2 });
  });

  it('shows every command for people without a stack', async () => {
    const commands = [
      ['resources'],
      ['describe', 'people'],
      ['get', 'people', 'bob'],
      ['count', 'people', '--partition', 'byTeam', '--value', 'team=red'],
      ['partitions', 'people'],
      ['stats'],
      ['heal'],
      ['update', 'people', 'bob', '-d', '{"team":"red"}'],
      ['create', 'people', '-a', 'name:string|required,team:string,bio:string', '-p', 'byTeam=team'],
    ];
    const expected = [
      /people/,
      /byTeam\s+│ team:string/,
      /name\s+Bob/,
      /^1 /m,
      /byTeam/,
      /people\s+│ 2/,
      /no problems found/,
      /updated people\/bob/,
      /already had this definition/,
    ];
    for (const [i, args] of commands.entries()) {
      const ran = await runInTerminal(bin, args, { env });
      const plain = visible(ran.stdout);
      expect(ran.code, `${args.join(' ')}: ${plain}`).toBe(0);
      expect(plain, args.join(' ')).toMatch(expected[i] as RegExp);
    }
  });

  it('reports errors with code and hint, exit 1 or 2, no stack', async () => {
    const missing = await runInTerminal(bin, ['get', 'nosuch', 'x'], { env });
    expect(missing.code).toBe(1);
    const plain = visible(missing.stdout);
    expect(plain).toMatch(/error \[NOT_FOUND\]/);
    expect(plain).toMatch(/hint .*people/);
    expect(plain).not.toMatch(/\n\s+at .+:\d+:\d+/);
    const usage = await runInTerminal(bin, ['query', 'people', '--filter', '{'], { env });
    expect(usage.code).toBe(2);
    expect(visible(usage.stdout)).toMatch(/error \[USAGE\] --filter is not valid JSON/);
    const noData = await runInTerminal(bin, ['insert', 'people'], { env });
    expect(noData.code).toBe(2);
    expect(visible(noData.stdout)).toMatch(/insert needs -d or NDJSON on stdin/);
  });

  it('asks before deleting; "n" keeps the document, --yes deletes without asking', async () => {
    const kept = await runInTerminal(bin, ['delete', 'people', 'bob'], { env, input: 'n\r' });
    expect(kept.stdout).toMatch(/Delete people\/bob\? \[y\/N\]/);
    expect(kept.code).toBe(1);
    expect((await runBin(bin, ['get', 'people', 'bob'], { env })).code).toBe(0);
    const yes = await runInTerminal(bin, ['delete', 'people', 'bob', '--yes'], { env });
    expect(yes.code).toBe(0);
    expect(yes.stdout).not.toMatch(/\[y\/N\]/);
    expect((await runBin(bin, ['get', 'people', 'bob'], { env })).code).toBe(1);
  });
});
