import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Cross-process tests start the real `node dist/...` entry points, so compile
 * first (swc, about a second) to never test a stale build.
 */
export function buildDist(): void {
  const root = join(__dirname, '..', '..');
  execFileSync(join(root, 'node_modules', '.bin', 'swc'), ['apps', 'libs', 'bench', '-d', 'dist', '--quiet', '--ignore', '**/*.spec.ts'], {
    cwd: root,
    stdio: 'inherit',
  });
}
