// Step 1 of the standalone binaries: one CommonJS file per command with every dependency inside (esbuild).
// Node 20's single-executable applications run one CommonJS script, so ESM sources are bundled to CJS.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

export const ENTRIES = {
  s3db: 'cli/main.ts',
  's3db-mcp-server': 'server/main.ts',
} as const;
export type BinaryName = keyof typeof ENTRIES;

/**
 * server/version.ts finds the version in the package.json above it; a binary run from an empty folder has none,
 * so the bundle gets the version written in.
 */
function fixedVersion(root: string): Plugin {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  return {
    name: 'fixed-version',
    setup(b) {
      b.onLoad({ filter: /[\\/]server[\\/]version\.ts$/ }, () => ({
        loader: 'ts',
        contents: `export const SERVER_NAME = ${JSON.stringify(pkg.name)};\nexport const SERVER_VERSION = ${JSON.stringify(pkg.version)};\n`,
      }));
    },
  };
}

/** Bundles each entry to `<outDir>/<name>.cjs`; returns the files and their sizes. */
export async function bundle(root: string, outDir: string): Promise<Record<BinaryName, string>> {
  const out = {} as Record<BinaryName, string>;
  for (const [name, entry] of Object.entries(ENTRIES) as [BinaryName, string][]) {
    const outfile = path.join(outDir, `${name}.cjs`);
    await build({
      entryPoints: [path.join(root, entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      minify: true,
      legalComments: 'none',
      logLevel: 'warning',
      // Dependencies that read import.meta.url get the script's own location.
      banner: { js: 'const __import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
      define: { 'import.meta.url': '__import_meta_url' },
      plugins: [fixedVersion(root)],
    });
    out[name] = outfile;
  }
  return out;
}
