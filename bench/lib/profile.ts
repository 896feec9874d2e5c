import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './machine';

interface CpuNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: CpuNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface Frame {
  frame: string;
  /** Share of all samples, in percent. */
  selfPct: number;
  totalPct: number;
}
export interface ProfileSummary {
  file: string;
  seconds: number;
  /** Self time by where code lives: our code, each npm package, node internals, GC, idle. */
  byArea: Array<{ area: string; pct: number }>;
  topSelf: Frame[];
  /** Our own functions by inclusive time: where in the control plane the time is spent. */
  topOwnTotal: Frame[];
}

/** The bench's SQLite timing wrapper: V8 books the native statement's time to it, so it stands for SQLite itself. */
const isSqliteWrapper = (url: string) => url.includes('bench/lib/sqlite-stats');

function frameName(n: CpuNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  if (isSqliteWrapper(url) && functionName !== 'record') return '(SQLite executing statements)';
  const file = url.replace(/^file:\/\//, '');
  const where = file ? `${file.startsWith(ROOT) ? relative(ROOT, file) : file.replace(/^.*node_modules\//, '')}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
}

function areaOf(n: CpuNode): string {
  const { functionName, url } = n.callFrame;
  if (isSqliteWrapper(url) && functionName !== 'record') return '(SQLite)';
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:') || !url.includes('/')) return '(node internals)';
  return url.includes('/dist/') ? '(control plane code)' : '(other)';
}

const pct = (x: number, all: number) => Math.round((x / all) * 1000) / 10;

/** Self and inclusive time per function from a V8 .cpuprofile (what --cpu-prof writes). */
export function summariseProfile(path: string, top = 12): ProfileSummary {
  const p = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const hits = new Map<number, number>();
  if (p.samples) for (const s of p.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  else for (const n of p.nodes) hits.set(n.id, n.hitCount ?? 0);
  const all = [...hits.values()].reduce((a, b) => a + b, 0) || 1;

  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, h] of hits) {
    const n = byId.get(id)!;
    self.set(frameName(n), (self.get(frameName(n)) ?? 0) + h);
    areas.set(areaOf(n), (areas.get(areaOf(n)) ?? 0) + h);
  }
  // Inclusive time: each frame counted once per stack even when it recurses.
  const total = new Map<string, number>();
  const walk = (id: number, onStack: Set<string>): number => {
    const n = byId.get(id)!;
    let sum = hits.get(id) ?? 0;
    const name = frameName(n);
    const fresh = !onStack.has(name);
    if (fresh) onStack.add(name);
    for (const c of n.children ?? []) sum += walk(c, onStack);
    if (fresh) {
      onStack.delete(name);
      total.set(name, (total.get(name) ?? 0) + sum);
    }
    return sum;
  };
  walk(p.nodes[0].id, new Set());

  const rank = (m: Map<string, number>, filter: (f: string) => boolean = () => true) =>
    [...m]
      .filter(([f]) => filter(f))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top);
  const own = (f: string) => /(^|\s)dist\/(apps|libs)\//.test(f);
  return {
    file: relative(ROOT, path),
    seconds: Math.round((p.endTime - p.startTime) / 1e4) / 100,
    byArea: [...areas]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([area, h]) => ({ area, pct: pct(h, all) })),
    topSelf: rank(self).map(([frame, h]) => ({ frame, selfPct: pct(h, all), totalPct: pct(total.get(frame) ?? h, all) })),
    topOwnTotal: rank(total, own).map(([frame, h]) => ({ frame, selfPct: pct(self.get(frame) ?? 0, all), totalPct: pct(h, all) })),
  };
}

/** The newest .cpuprofile in a directory (node names them with a timestamp and pid). */
export function newestProfile(dir: string): string | null {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  return files.length ? join(dir, files[files.length - 1]) : null;
}

/** The profiles the distributed mode's processes wrote into `dir`, each named by its role (only the projector loads its own main module). */
export function summariseProcessProfiles(dir: string, label: string): ProfileSummary[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  const role = (f: string) =>
    readFileSync(join(dir, f), 'utf8').includes('l2pop-projector/src/main.js') ? 'l2pop-projector' : 'API + relay';
  return files.map((f) => ({ ...summariseProfile(join(dir, f)), file: `${role(f)}, ${label}` }));
}
