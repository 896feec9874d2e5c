import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs the kernel's own tools (iproute2, bridge, ipset, iptables) on the host,
 * or inside a network namespace when the agent programs one it does not live
 * in (the lab's hosts). Changes go in batches through stdin: one process per
 * kind of change, not one per entry (1,000 FDB entries: 2.5 s one by one, ~10 ms
 * batched).
 */
export class HostShell {
  constructor(readonly netns?: string) {}

  private argv(tool: string, args: string[]): [string, string[]] {
    return this.netns ? ['ip', ['netns', 'exec', this.netns, tool, ...args]] : [tool, args];
  }

  /** Runs a command; rejects with its stderr when it fails. */
  async exec(tool: string, args: string[]): Promise<string> {
    const [file, argv] = this.argv(tool, args);
    try {
      const { stdout } = await run(file, argv, { maxBuffer: 64 * 1024 * 1024 });
      return stdout;
    } catch (err) {
      const e = err as Error & { stderr?: string };
      throw new Error(`${tool} ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`, { cause: err });
    }
  }

  /** Parsed `-json` output of `ip`/`bridge` (they print nothing, not `[]`, for an empty list). */
  async json<T>(tool: 'ip' | 'bridge', args: string[]): Promise<T[]> {
    const out = (await this.exec(tool, ['-json', ...args])).trim();
    return out ? (JSON.parse(out) as T[]) : [];
  }

  /**
   * Feeds `lines` to a tool reading commands from stdin (`ip -batch -`,
   * `ipset restore`, `iptables-restore`). Every line is tried; the errors come
   * back together.
   */
  async feed(tool: string, args: string[], lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const [file, argv] = this.argv(tool, args);
    await new Promise<void>((resolve, reject) => {
      const child = spawn(file, argv, { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0
          ? resolve()
          : reject(new Error(`${tool} ${args.join(' ')}: exit ${code}: ${stderr.trim().split('\n').slice(0, 5).join('; ')}`)),
      );
      child.stdin.end(`${lines.join('\n')}\n`);
    });
  }
}
