import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, spawnControlPlane } from '../support/control-plane';

/*
 * One embedded control plane per data directory: a second is refused at once with a clear line
 * (two writers would each project and schedule half of what the other appends), a crashed first
 * leaves no stale lock, and an unusable directory fails fast in one line instead of spinning.
 */
const failure = (err: unknown) => (err as Error).message;
const made: string[] = [];
afterAll(() => made.forEach(removeDir));

test('refuses a second control plane on the same data directory, naming the first', async () => {
  const first = await spawnControlPlane();
  try {
    const started = Date.now();
    const refused = await spawnControlPlane({ dataDir: first.dataDir }).then(
      () => 'started',
      (err) => failure(err),
    );
    expect(refused).toMatch(/exited with 1/);
    expect(refused).toContain(`another control plane (pid ${first.child.pid}) is using data directory ${first.dataDir}`);
    expect(Date.now() - started).toBeLessThan(15_000);
    // The first is untouched.
    expect((await fetch(`${first.url}/v2.0/networks`)).status).toBe(200);
  } finally {
    await first.kill();
    removeDir(first.dataDir);
  }
});

test('takes over the directory of a control plane that was killed (the lock dies with its process)', async () => {
  const first = await spawnControlPlane();
  await first.kill('SIGKILL');
  const second = await spawnControlPlane({ dataDir: first.dataDir });
  expect((await fetch(`${second.url}/v2.0/networks`)).status).toBe(200);
  await second.kill();
  removeDir(first.dataDir);
});

test.each([
  ['a path under /proc (where a recursive mkdir would spin)', () => '/proc/cp-nope/data'],
  [
    'a file',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'cp-file-'));
      made.push(dir);
      const file = join(dir, 'not-a-dir');
      writeFileSync(file, '');
      return file;
    },
  ],
])('fails fast in one line when the data directory is %s', async (_what, path) => {
  const started = Date.now();
  const message = await spawnControlPlane({ dataDir: path() }).then(
    () => 'started',
    (err) => failure(err),
  );
  expect(Date.now() - started).toBeLessThan(15_000);
  const lines = message.split('\n').filter((l) => l.startsWith('failed to start'));
  expect(lines).toEqual([expect.stringMatching(/^failed to start: data directory .* cannot be used: /)]);
  expect(message).not.toMatch(/\n\s+at /);
});
