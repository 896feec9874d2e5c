import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The installed package's root (where package.json is), from the source or the build: files shipped beside the code are found from it. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
    dir = dirname(dir);
  }
  return dir;
}
