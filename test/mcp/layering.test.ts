// Import rules (`npm run deps`): dependency-cruiser with .dependency-cruiser.mjs finds no cycle and no layer violation in the real tree, and finds exactly the violations planted in test/fixtures/import-rules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = join(ROOT, 'test/fixtures/import-rules');
/** The folders `npm run deps` checks. */
const REAL_TREE = ['engine', 'tools', 'server', 'transports', 'cli', 'scripts', 'test', 'bench'];

interface Found {
  rule: string;
  from: string;
  to: string;
  cycle?: string[];
}

async function check(baseDir: string, folders: string[]): Promise<{ violations: Found[]; modules: string[] }> {
  const options = await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.mjs'));
  const result = await cruise(
    folders,
    { ...options, baseDir },
    {},
    { tsConfig: extractTSConfig(join(ROOT, 'tsconfig.json')) },
  );
  const output = result.output as ICruiseResult;
  return {
    violations: output.summary.violations.map((v) => ({
      rule: v.rule.name,
      from: v.from,
      to: v.to,
      ...(v.cycle === undefined ? {} : { cycle: v.cycle.map((d) => d.name) }),
    })),
    modules: output.modules.map((m) => m.source),
  };
}

describe('import rules', () => {
  it('npm run deps checks the same folders as this test', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.deps).toBe(`depcruise ${REAL_TREE.join(' ')}`);
    expect(pkg.scripts.check).toContain('npm run deps');
  });

  it('the real tree has no import cycle and no layer violation', async () => {
    const { violations, modules } = await check(ROOT, REAL_TREE);
    // The check saw the tree (a resolver that found nothing would pass vacuously).
    expect(modules).toEqual(
      expect.arrayContaining(['engine/index.ts', 'tools/index.ts', 'server/main.ts', 'transports/http.ts']),
    );
    // (includes, not startsWith: in a git worktree node_modules may be a link to another folder)
    expect(modules.some((m) => m.includes('node_modules/p-queue/'))).toBe(true);
    expect(modules.some((m) => m.startsWith('test/fixtures/import-rules/'))).toBe(false);
    expect(violations).toEqual([]);
  });

  it('reports every planted violation in the fixture tree, and nothing else', async () => {
    const { violations } = await check(FIXTURE, ['engine', 'tools', 'server', 'transports', 'cli']);
    const byRule = (a: Found, b: Found) => a.rule.localeCompare(b.rule) || a.from.localeCompare(b.from);
    expect(violations.sort(byRule)).toEqual(
      [
        { rule: 'no-cycle', from: 'engine/a.ts', to: 'engine/b.ts', cycle: ['engine/b.ts', 'engine/a.ts'] },
        { rule: 'engine-stays-embeddable', from: 'engine/leak.ts', to: 'server/name.ts' },
        { rule: 'transports-below-server', from: 'transports/wire.ts', to: 'tools/tool.ts' },
        { rule: 'tools-below-server', from: 'tools/tool.ts', to: 'server/name.ts' },
        { rule: 'engine-through-its-index', from: 'server/deep.ts', to: 'engine/a.ts' },
        { rule: 'cli-through-faces', from: 'cli/command.ts', to: 'tools/tool.ts' },
        { rule: 'cli-on-top', from: 'server/uses-cli.ts', to: 'cli/command.ts' },
      ].sort(byRule),
    );
  });
});
