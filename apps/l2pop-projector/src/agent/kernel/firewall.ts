import type { L2Snapshot } from '../../contract/l2-documents';
import { desiredIpsets, firewallRules, planIpsets, SG_CHAIN } from './firewall-plan';
import type { HostShell } from './host-shell';
import { nftPlan } from './nft-plan';

/** What one application changed. */
export interface FirewallChange {
  /** Set members (or sets) added and removed. */
  members: number;
  /** The rules were rewritten (a rule, a port or its addresses changed; never a member change alone). */
  rewritten: boolean;
}

/** Security groups in the kernel: ipsets + iptables, or nftables sets where the kernel has no ipset. */
export interface Firewall {
  readonly describe: string;
  /** Reads what the host has, the starting point of the differences. */
  load(): Promise<void>;
  apply(view: L2Snapshot): Promise<FirewallChange>;
  /** After a failure: read everything back and rewrite the rules next time. */
  reset(): Promise<void>;
}

/** `auto` takes ipset + iptables where the kernel has ipset, nftables otherwise. */
export async function chooseFirewall(shell: HostShell, kind: 'auto' | 'iptables' | 'nftables'): Promise<Firewall> {
  const works = (tool: string, args: string[]) =>
    shell.exec(tool, args).then(
      () => true,
      () => false,
    );
  if (kind !== 'nftables' && (await works('ipset', ['list', '-n'])) && (await works('iptables', ['-S', 'FORWARD']))) {
    const version = (await shell.exec('iptables', ['--version'])).trim();
    return new IptablesFirewall(shell, `ipset + ${version}`);
  }
  if (kind === 'iptables') throw new Error('--firewall iptables: ipset or iptables does not work on this host');
  if (await works('nft', ['list', 'tables'])) {
    return new NftFirewall(shell, kind === 'auto' ? 'nftables sets (this kernel has no ipset)' : 'nftables sets');
  }
  throw new Error('no firewall for security groups: neither ipset + iptables nor nftables works on this host');
}

/** Neutron's iptables firewall driver's way: one ipset per group and ethertype, chains per port (firewall-plan.ts). */
class IptablesFirewall implements Firewall {
  private sets = new Map<string, Set<string>>();
  private readonly rules = new Map<4 | 6, string>();

  constructor(
    private readonly shell: HostShell,
    readonly describe: string,
  ) {}

  async load(): Promise<void> {
    this.sets = new Map();
    for (const line of (await this.shell.exec('ipset', ['save'])).split('\n')) {
      const [verb, name, member] = line.split(' ');
      // Only the agent's sets: Neutron's names (N + ethertype + group id).
      if (!/^NIPv[46]/.test(name ?? '')) continue;
      if (verb === 'create') this.sets.set(name, this.sets.get(name) ?? new Set());
      if (verb === 'add') this.sets.get(name)?.add(member);
    }
  }

  async reset(): Promise<void> {
    this.rules.clear();
    await this.load();
  }

  async apply(view: L2Snapshot): Promise<FirewallChange> {
    const want = desiredIpsets(view);
    const sets = planIpsets(this.sets, want);
    // Sets exist before the rules naming them, and go after the rules that named them.
    await this.shell.feed('ipset', ['restore', '-exist'], sets.update);
    let rewritten = false;
    for (const family of [4, 6] as const) rewritten = (await this.writeRules(view, family)) || rewritten;
    await this.shell.feed('ipset', ['restore', '-exist'], sets.destroy);
    this.sets = new Map([...want].map(([name, s]) => [name, s.members]));
    return { members: sets.update.length + sets.destroy.length, rewritten };
  }

  private async writeRules(view: L2Snapshot, family: 4 | 6): Promise<boolean> {
    const tool = family === 4 ? 'iptables' : 'ip6tables';
    const text = firewallRules(view, family, []);
    if (this.rules.get(family) === text) return false;
    const stale = (await this.shell.exec(tool, ['-S']))
      .split('\n')
      .map((l) => /^-N (cp[ios]-\S+)$/.exec(l)?.[1])
      .filter((c): c is string => c !== undefined);
    await this.shell.feed(`${tool}-restore`, ['--noflush'], firewallRules(view, family, stale).split('\n'));
    // The FORWARD hook is added once; -C tells whether it is there.
    await this.shell
      .exec(tool, ['-C', 'FORWARD', '-j', SG_CHAIN])
      .catch(() => this.shell.exec(tool, ['-I', 'FORWARD', '1', '-j', SG_CHAIN]));
    this.rules.set(family, text);
    return true;
  }
}

/** The same rules in one nftables table (nft-plan.ts): members change by element, rules by one atomic rewrite. */
class NftFirewall implements Firewall {
  private sets = new Map<string, Set<string>>();
  private rules: string | null = null;

  constructor(
    private readonly shell: HostShell,
    readonly describe: string,
  ) {}

  /** The first application rewrites the whole table, members included: nothing to read first. */
  load(): Promise<void> {
    this.sets = new Map();
    this.rules = null;
    return Promise.resolve();
  }

  reset(): Promise<void> {
    return this.load();
  }

  async apply(view: L2Snapshot): Promise<FirewallChange> {
    const plan = nftPlan(view, this.sets, this.rules);
    await this.shell.feed('nft', ['-f', '-'], plan.script);
    this.sets = plan.sets;
    this.rules = plan.rules;
    return { members: plan.members, rewritten: plan.rewritten };
  }
}
