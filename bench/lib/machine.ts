import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem, type as osType } from 'node:os';
import { dirname, join } from 'node:path';

/** The repository root, found upwards from here: the same from dist/bench/lib and bench/lib. */
export const ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();
export const RESULTS_DIR = join(ROOT, 'bench', 'results');

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  commit: string;
  /** Uncommitted changes in the tree: figures from a dirty tree may not match the commit. */
  dirty: boolean;
  /** Hash of the uncommitted changes under apps/ and libs/ ('' when clean): which code a dirty run measured. */
  sourceHash: string;
  /** 1-minute load average when the run began: other work on the machine skews every figure. */
  loadAverage: number;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export function machine(): Machine {
  const c = cpus();
  return {
    cores: c.length,
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${osType()} ${release()} (${platform()})`,
    commit: git(['rev-parse', 'HEAD']) || 'unknown',
    dirty: git(['status', '--porcelain']) !== '',
    sourceHash: sourceHash(),
    loadAverage: Math.round(loadavg()[0] * 100) / 100,
  };
}

function sourceHash(): string {
  const diff = git(['diff', 'HEAD', '--', 'apps', 'libs']);
  const untracked = git(['ls-files', '--others', '--exclude-standard', '--', 'apps', 'libs']).split('\n').filter(Boolean);
  if (!diff && untracked.length === 0) return '';
  const h = createHash('sha256').update(diff);
  for (const f of untracked.sort()) h.update(f).update(readFileSync(join(ROOT, f)));
  return h.digest('hex').slice(0, 12);
}

export interface Result<F = unknown> {
  scenario: string;
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  options: Record<string, unknown>;
  figures: F;
  /** What was not measured or measured differently than asked, in words. */
  notes: string[];
}

/** Writes bench/results/<scenario>-<timestamp>.json and returns its path. */
export function writeResult<F>(result: Result<F>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const path = join(RESULTS_DIR, `${result.scenario}-${stamp}.json`);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

/** The newest result of a scenario (file names sort by timestamp), or null. */
export function latestResult<F>(scenario: string): Result<F> | null {
  let files: string[];
  try {
    files = readdirSync(RESULTS_DIR)
      .filter((f) => f.startsWith(`${scenario}-`) && f.endsWith('.json'))
      .sort();
  } catch {
    return null;
  }
  const last = files[files.length - 1];
  return last ? (JSON.parse(readFileSync(join(RESULTS_DIR, last), 'utf8')) as Result<F>) : null;
}
