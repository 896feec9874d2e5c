import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@cp/runtime';
import { promisify } from 'node:util';

const run = promisify(execFile);

const ROOT = repoRoot();
const NETNS_SH = join(ROOT, 'scripts/lab/netns.sh');
const AGENT_JS = join(ROOT, 'dist/apps/l2pop-projector/src/agent/cli.js');

export interface LabPort {
  id: string;
  mac: string;
  /** With its prefix length: 10.0.0.5/24. */
  cidr: string;
}

/**
 * A data-plane lab on one machine (scripts/lab/netns.sh): "hypervisors" as
 * network namespaces on an underlay bridge (198.18.0.11, .12, …; nothing leaves
 * the namespaces), one kernel-programming L2 agent process per host, and "VMs"
 * as namespaces whose veth ends are the hosts' taps. Used by the end-to-end
 * test and by `npm run lab`. Needs root.
 */
export class Lab {
  readonly agents = new Map<number, { child: ChildProcess; out: string[] }>();
  /** Per host, the agent's --firewall when not auto (kept across restarts). */
  private readonly firewalls = new Map<number, string>();
  private readonly servers: ChildProcess[] = [];

  private constructor(
    readonly prefix: string,
    readonly hosts: number,
    private readonly server: string,
    private readonly stateDir: string,
  ) {}

  /** Whether this machine lets us make namespaces (root, a kernel with netns); the reason when not. */
  static async refused(): Promise<string | null> {
    if (process.getuid?.() !== 0) return 'not root: network namespaces need root';
    const probe = `cpprobe${process.pid}`;
    try {
      await run('ip', ['netns', 'add', probe]);
      await run('ip', ['netns', 'del', probe]);
      return null;
    } catch (err) {
      return `the kernel refuses network namespaces: ${(err as Error).message.split('\n')[0]}`;
    }
  }

  static async up(opts: { prefix: string; hosts: number; server: string; stateDir: string }): Promise<Lab> {
    const lab = new Lab(opts.prefix, opts.hosts, opts.server, opts.stateDir);
    await lab.sh('up', opts.prefix, String(opts.hosts));
    return lab;
  }

  hostName(i: number): string {
    return `${this.prefix}-h${i}`;
  }

  tunnelIp(i: number): string {
    return `198.18.0.${10 + i}`;
  }

  /** Starts host i's agent and resolves once it has programmed its first document. */
  async startAgent(i: number, firewall?: 'iptables' | 'nftables'): Promise<void> {
    if (firewall) this.firewalls.set(i, firewall);
    const child = spawn(
      process.execPath,
      [
        AGENT_JS,
        '--program-kernel',
        '--netns',
        this.hostName(i),
        '--host',
        this.hostName(i),
        '--tunnel-ip',
        this.tunnelIp(i),
        '--server',
        this.server,
        '--state-file',
        join(this.stateDir, `${this.hostName(i)}.json`),
        '--heartbeat',
        '5',
        '--firewall',
        this.firewalls.get(i) ?? 'auto',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const agent = { child, out: [] as string[] };
    this.agents.set(i, agent);
    const collect = (d: Buffer) => agent.out.push(...d.toString().split('\n').filter(Boolean));
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`agent ${i} did not start:\n${agent.out.join('\n')}`)), 30_000);
      const check = () => {
        if (agent.out.some((l) => l.includes('in step with revision'))) {
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve();
        }
      };
      child.stdout.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`agent ${i} exited with ${code}:\n${agent.out.join('\n')}`));
      });
    });
  }

  async stopAgent(i: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const agent = this.agents.get(i);
    this.agents.delete(i);
    if (!agent || agent.child.exitCode !== null || agent.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      agent.child.once('exit', () => resolve());
      agent.child.kill(signal);
    });
  }

  vm(name: string, host: number, port: LabPort): Promise<string> {
    return this.sh('vm', this.prefix, String(host), name, port.mac, port.cidr, port.id);
  }

  vmDel(name: string): Promise<string> {
    return this.sh('vm-del', this.prefix, name);
  }

  vmMove(name: string, host: number, portId: string): Promise<string> {
    return this.sh('vm-move', this.prefix, name, String(host), portId);
  }

  /** One ICMP echo from a VM, waiting at most a second. */
  async ping(vm: string, ip: string): Promise<boolean> {
    return run('ip', ['netns', 'exec', `${this.prefix}-${vm}`, 'ping', '-c', '1', '-W', '1', '-q', ip]).then(
      () => true,
      () => false,
    );
  }

  /** A TCP connection from a VM that the server answers (with its banner) within `timeoutMs`. */
  async tcp(vm: string, ip: string, port: number, timeoutMs = 1000): Promise<boolean> {
    const script = `const s=require('net').connect(${port},'${ip}');s.setTimeout(${timeoutMs},()=>process.exit(1));
      s.on('data',()=>process.exit(0));s.on('error',()=>process.exit(1));`;
    return run('ip', ['netns', 'exec', `${this.prefix}-${vm}`, process.execPath, '-e', script]).then(
      () => true,
      () => false,
    );
  }

  /** A TCP server in a VM that greets every connection (stopped with the lab). */
  async serveTcp(vm: string, port: number): Promise<void> {
    const script = `require('net').createServer((s)=>s.end('hello\\n')).listen(${port},()=>console.log('listening'));`;
    const child = spawn('ip', ['netns', 'exec', `${this.prefix}-${vm}`, process.execPath, '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.servers.push(child);
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  }

  /** Host i's FDB entries on its VXLAN devices, as `mac dst` per device. */
  async fdb(i: number): Promise<string[]> {
    const { stdout } = await run('bridge', ['-n', this.hostName(i), '-json', 'fdb', 'show']);
    const entries = JSON.parse(stdout || '[]') as Array<{ mac: string; ifname: string; dst?: string }>;
    return entries.filter((e) => e.ifname.startsWith('vx-') && e.dst).map((e) => `${e.ifname} ${e.mac} ${e.dst}`);
  }

  /** Host i's permanent neighbours on its VXLAN devices, as `dev ip mac`. */
  async neigh(i: number): Promise<string[]> {
    const { stdout } = await run('ip', ['-n', this.hostName(i), '-json', 'neigh', 'show']);
    const entries = JSON.parse(stdout || '[]') as Array<{ dst: string; dev: string; lladdr?: string }>;
    return entries.filter((n) => n.dev.startsWith('vx-') && n.lladdr).map((n) => `${n.dev} ${n.dst} ${n.lladdr}`);
  }

  /** Stops every agent and server, removes every namespace of the lab (also after a failure). */
  async down(): Promise<void> {
    for (const i of [...this.agents.keys()]) await this.stopAgent(i, 'SIGKILL');
    for (const s of this.servers) s.kill('SIGKILL');
    await this.sh('down', this.prefix);
  }

  list(): Promise<string> {
    return this.sh('list', this.prefix);
  }

  private async sh(...args: string[]): Promise<string> {
    try {
      return (await run('bash', [NETNS_SH, ...args])).stdout;
    } catch (err) {
      const e = err as Error & { stderr?: string };
      throw new Error(`netns.sh ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`, { cause: err });
    }
  }
}
