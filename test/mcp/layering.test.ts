// Layering of the MCP side: tools never import server/ or transports/; transports never import server/ or tools/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function importsOf(folder: string): { file: string; from: string }[] {
  return readdirSync(folder, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((file) =>
      [...readFileSync(join(folder, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => ({
        file,
        from: m[1] as string,
      })),
    );
}

describe('layering', () => {
  it('tools depend only on the engine', () => {
    expect(importsOf('tools').filter((i) => /\.\.\/(server|transports)\//.test(i.from))).toEqual([]);
  });
  it('transports do not reach into server or tools', () => {
    expect(importsOf('transports').filter((i) => /\.\.\/(server|tools)\//.test(i.from))).toEqual([]);
  });
  it('other folders use the engine through its index only', () => {
    const deep = [...importsOf('tools'), ...importsOf('server'), ...importsOf('transports')].filter(
      (i) => i.from.includes('/engine/') && !i.from.endsWith('/engine/index.js'),
    );
    expect(deep).toEqual([]);
  });
});
