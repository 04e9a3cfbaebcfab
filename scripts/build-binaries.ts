// npm run build:binaries [-- --targets=linux-x64,win-x64] [-- --no-check]
// Standalone executables of s3db and s3db-mcp-server with Node's single-executable applications: bundle each
// command (esbuild), make its blob (node --experimental-sea-config), inject it into a copy of a Node executable
// (postject), then run this platform's binaries from an empty folder. Output: build/binaries/ (not in the package).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundle, ENTRIES, type BinaryName } from './binaries/bundle.js';
import { checkCli, checkMcp } from './binaries/check.js';
import { HOST, TARGETS, nodeFor, type Target } from './binaries/targets.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'build', 'binaries');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const POSTJECT = path.join(ROOT, 'node_modules', 'postject', 'dist', 'cli.js');

const { values } = parseArgs({
  options: { targets: { type: 'string' }, 'no-check': { type: 'boolean' } },
});
const wanted = values.targets === undefined ? TARGETS.map((t) => t.id) : values.targets.split(',');
const unknown = wanted.filter((id) => !TARGETS.some((t) => t.id === id));
if (unknown.length > 0) {
  console.error(`unknown target(s) ${unknown.join(', ')}; known: ${TARGETS.map((t) => t.id).join(', ')}`);
  process.exit(2);
}

const mb = (file: string) => `${(statSync(file).size / 1024 / 1024).toFixed(1)} MB`;

/** The SEA blob of one bundled script, made by this node (its version must match the executables'). */
function makeBlob(name: BinaryName, script: string): string {
  const blob = path.join(OUT, `${name}.blob`);
  const config = path.join(OUT, `${name}.sea.json`);
  writeFileSync(
    config,
    JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true, useCodeCache: false }),
  );
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  return blob;
}

function inject(target: Target, node: string, blob: string, file: string): void {
  copyFileSync(node, file);
  chmodSync(file, 0o755);
  // This machine's node carries its debug symbols (~99 MB); the binary does not need them.
  if (target.id === HOST && target.id.startsWith('linux')) {
    try {
      execFileSync('strip', ['--strip-debug', file], { stdio: 'ignore' });
    } catch {
      // no strip here: a bigger binary, same behaviour
    }
  }
  execFileSync(
    process.execPath,
    [
      POSTJECT,
      file,
      'NODE_SEA_BLOB',
      blob,
      '--sentinel-fuse',
      FUSE,
      ...(target.macho ? ['--macho-segment-name', 'NODE_SEA'] : []),
    ],
    // postject (LIEF) warns about every ELF note it cannot name: noise unless the injection fails.
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const scripts = await bundle(ROOT, OUT);
  const blobs = {} as Record<BinaryName, string>;
  for (const name of Object.keys(ENTRIES) as BinaryName[]) {
    blobs[name] = makeBlob(name, scripts[name]);
    console.log(`bundle ${path.basename(scripts[name])}: ${mb(scripts[name])}`);
  }
  const built: string[] = [];
  const skipped: string[] = [];
  for (const target of TARGETS.filter((t) => wanted.includes(t.id))) {
    let node: string;
    try {
      node = nodeFor(target);
    } catch (error) {
      skipped.push(`${target.id}: no node ${process.versions.node} executable (${(error as Error).message})`);
      continue;
    }
    for (const name of Object.keys(ENTRIES) as BinaryName[]) {
      const file = path.join(OUT, `${name}-${target.id}${target.suffix}`);
      inject(target, node, blobs[name], file);
      built.push(file);
      console.log(`built ${path.relative(ROOT, file)}: ${mb(file)}${target.macho ? ' (needs signing on macOS)' : ''}`);
    }
  }
  if (values['no-check'] !== true && wanted.includes(HOST)) {
    const cli = path.join(OUT, `s3db-${HOST}`);
    const server = path.join(OUT, `s3db-mcp-server-${HOST}`);
    console.log(`check ${path.basename(cli)}: CLI round trip, ${checkCli(cli)} commands ok`);
    console.log(`check ${path.basename(server)}: MCP stdio session, ${await checkMcp(server)} tools listed`);
    console.log(`check ${path.basename(cli)} mcp: MCP stdio session, ${await checkMcp(cli, ['mcp'])} tools listed`);
  }
  for (const s of skipped) console.warn(`skipped ${s}`);
  for (const f of Object.values(blobs)) rmSync(f);
  console.log(
    `${built.length} binaries in ${path.relative(ROOT, OUT)} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

await main();
