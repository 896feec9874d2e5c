import { spawn, type ChildProcess } from 'node:child_process';
import type { L2Snapshot } from '../../contract/l2-documents';
import { ReferenceAgent, type AgentOptions } from '../agent';
import { chooseFirewall, type Firewall } from './firewall';
import { HostShell } from './host-shell';
import { desiredKernel, planL2, tapName, type L2Kernel } from './l2-plan';
import { readL2Kernel, readTaps } from './read-kernel';

export interface KernelAgentOptions extends AgentOptions {
  /** Program this network namespace instead of the agent's own (the lab's hosts). */
  netns?: string;
  /** Seconds between full rescans of the taps, besides `ip monitor` events. */
  rescanSeconds?: number;
  /** Security groups through ipset + iptables, nftables, or whichever the host has (auto, the default). */
  firewall?: 'auto' | 'iptables' | 'nftables';
}

/** One applied change, for logs and measurements. */
export interface Applied {
  revision: string;
  ms: number;
  counts: { links: number; fdb: number; neigh: number; members: number; firewall: boolean };
  reportedUp: string[];
  reportedDown: string[];
}

/**
 * The reference L2 agent with a data plane: it follows its host's L2 document
 * (ReferenceAgent: snapshot, watch, state file, heartbeats) and programs the
 * kernel from it: VXLAN devices, bridges, FDB and neighbour entries
 * (l2-plan.ts), ipsets and iptables chains for security groups
 * (firewall-plan.ts). It plugs the taps of its host's ports as they appear and
 * reports each port up once its device, entries and firewall are in place
 * (down when its tap goes).
 *
 * Changes are applied as differences from what it last programmed, so entries
 * already right are never touched. At start that is what the kernel has (read
 * back), so a restarted agent removes what went stale and adds what is
 * missing, and traffic that was right flows on.
 */
export class KernelAgent {
  readonly feed: ReferenceAgent;
  readonly shell: HostShell;
  private kernel: L2Kernel | null = null;
  private firewall: Firewall | null = null;
  /** Ports reported up by this process, so each is reported once while its tap stays. */
  private readonly reported = new Set<string>();
  private running: Promise<void> = Promise.resolve();
  private pending = false;
  private monitor: ChildProcess | null = null;
  private rescan: NodeJS.Timeout | null = null;
  private stopped = false;
  /** The networks of other types last said to be left alone, so it is said once per change. */
  private skipped = '';
  private readonly listeners = new Set<(applied: Applied) => void>();

  constructor(private readonly options: KernelAgentOptions) {
    this.shell = new HostShell(options.netns);
    this.feed = new ReferenceAgent({ ...options, printViews: false, log: (t) => this.say(t) });
  }

  async start(): Promise<void> {
    const started = Date.now();
    this.kernel = await readL2Kernel(this.shell);
    this.firewall = await chooseFirewall(this.shell, this.options.firewall ?? 'auto');
    await this.firewall.load();
    this.feed.onChange(() => this.schedule());
    this.watchLinks();
    await this.feed.start();
    this.schedule();
    await this.settled();
    const where = this.options.netns ? `network namespace ${this.options.netns}` : 'this host';
    this.say(`programming ${where}, security groups with ${this.firewall.describe}`);
    this.say(`in step with revision ${this.feed.view?.revision} after ${Date.now() - started} ms`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.monitor?.kill();
    if (this.rescan) clearInterval(this.rescan);
    await this.feed.stop();
    await this.running;
  }

  onApplied(listener: (applied: Applied) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once every change seen so far is programmed. */
  async settled(): Promise<void> {
    while (this.pending) await this.running;
    await this.running;
  }

  /** Coalesces: changes arriving while one is programmed are applied together after it. */
  private schedule(): void {
    if (this.stopped || this.pending) return;
    this.pending = true;
    this.running = this.running.then(async () => {
      this.pending = false;
      const view = this.feed.view;
      if (!view) return;
      try {
        await this.apply(view);
      } catch (err) {
        // What failed is read back from the kernel and tried again with the next change or rescan.
        this.say(`programming revision ${view.revision} failed: ${(err as Error).message}`);
        this.kernel = await readL2Kernel(this.shell).catch(() => this.kernel);
        await this.firewall!.reset().catch(() => undefined);
      }
    });
  }

  private async apply(view: L2Snapshot): Promise<void> {
    const started = performance.now();
    const taps = await readTaps(this.shell);
    const { kernel: want, unsupported } = desiredKernel(view, new Set(taps.keys()));
    const skipped = unsupported.join(', ');
    if (skipped !== this.skipped) {
      if (skipped) this.say(`not programmed (only VXLAN networks are): ${skipped}`);
      this.skipped = skipped;
    }
    // Taps come and go outside the agent: take their current masters as the starting point.
    const now: L2Kernel = { ...this.kernel!, taps: new Map([...taps].filter(([, master]) => master.startsWith('brq'))) };
    const l2 = planL2(now, want, this.options.tunnelIp);

    await this.shell.feed('ip', ['-force', '-batch', '-'], l2.links);
    const firewall = await this.firewall!.apply(view);
    await this.shell.feed('bridge', ['-force', '-batch', '-'], l2.fdb);
    await this.shell.feed('ip', ['-force', '-batch', '-'], l2.neigh);
    await this.shell.feed('ip', ['-force', '-batch', '-'], l2.removals);
    this.kernel = want;

    const { up, down } = await this.report(view, want, taps);
    const applied: Applied = {
      revision: view.revision,
      ms: Math.round((performance.now() - started) * 10) / 10,
      counts: {
        links: l2.links.length + l2.removals.length,
        fdb: l2.fdb.length,
        neigh: l2.neigh.length,
        members: firewall.members,
        firewall: firewall.rewritten,
      },
      reportedUp: up,
      reportedDown: down,
    };
    for (const l of this.listeners) l(applied);
  }

  /** Up: a local port whose tap is plugged, now that its entries and rules are in place. Down: a reported port whose tap went. */
  private async report(view: L2Snapshot, want: L2Kernel, taps: Map<string, string>): Promise<{ up: string[]; down: string[] }> {
    const up: string[] = [];
    const down: string[] = [];
    for (const portId of Object.keys(view.ports)) {
      if (this.reported.has(portId) || !want.taps.has(tapName(portId))) continue;
      if (await this.post(portId, 'up')) {
        this.reported.add(portId);
        up.push(portId);
      }
    }
    for (const portId of [...this.reported]) {
      if (view.ports[portId] && taps.has(tapName(portId))) continue;
      this.reported.delete(portId);
      // A port that left the host is no longer this host's to report.
      if (view.ports[portId] && (await this.post(portId, 'down'))) down.push(portId);
    }
    return { up, down };
  }

  private async post(portId: string, what: 'up' | 'down'): Promise<boolean> {
    const url = `${this.options.server.replace(/\/+$/, '')}/v1/hosts/${encodeURIComponent(this.options.host)}/ports/${portId}/${what}`;
    const res = await fetch(url, { method: 'POST' }).catch(() => null);
    if (res?.ok) return true;
    this.say(`port ${portId} not reported ${what} (${res ? `${res.status} ${await res.text()}` : 'server unreachable'}); will retry`);
    return false;
  }

  /** Taps appearing or going wake the agent at once (`ip monitor link`); a rescan catches anything missed. */
  private watchLinks(): void {
    const [file, args] = this.options.netns
      ? ['ip', ['netns', 'exec', this.options.netns, 'ip', '-o', 'monitor', 'link']]
      : ['ip', ['-o', 'monitor', 'link']];
    const monitor = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    monitor.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('tap')) this.schedule();
    });
    this.monitor = monitor;
    this.rescan = setInterval(() => this.schedule(), (this.options.rescanSeconds ?? 5) * 1000);
  }

  private say(text: string): void {
    (this.options.log ?? ((t: string) => process.stdout.write(`${t}\n`)))(text);
  }
}
