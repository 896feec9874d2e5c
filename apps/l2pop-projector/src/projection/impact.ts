import type { Ethertype } from '../model/rules';

/**
 * What a batch's events may have changed, as keys of the derived state: (network,
 * hosts) pairs for L2 population, ipsets whose members changed, ipsets whose
 * rules changed (who needs them may differ) and hosts whose needed ipsets may differ. Handlers only name keys; when the batch ends, the
 * views recompute each key once and write what actually differs, so naming a key
 * too many (or several times) is cheap and never wrong.
 */
export class Impact {
  /**
   * False while the views are rebuilt in bulk (derived in full from the facts at
   * the end): then nothing is collected and handlers skip reads done only to name keys.
   */
  constructor(readonly tracking = true) {}

  readonly networks = new Map<string, Set<string> | 'all'>();
  /** Sets a rule naming their group came or went for. */
  readonly sets = new Map<string, { groupId: string; ethertype: Ethertype }>();
  /** Sets whose members changed, with the IPs added or removed (views/set-members.ts names only real changes). */
  readonly members = new Map<string, { groupId: string; ethertype: Ethertype; ips: Set<string> }>();
  readonly setHosts = new Set<string>();
  /** Hosts whose own ports' documents changed, and groups and networks whose ports' hosts did (resolved when the batch ends). */
  readonly localHosts = new Set<string>();
  readonly localGroups = new Set<string>();
  readonly localNetworks = new Set<string>();

  network(networkId: string, hosts: Iterable<string | null | undefined> | 'all'): void {
    if (!this.tracking) return;
    const current = this.networks.get(networkId);
    if (current === 'all') return;
    if (hosts === 'all') {
      this.networks.set(networkId, 'all');
      return;
    }
    const set = current ?? new Set<string>();
    for (const h of hosts) if (h) set.add(h);
    this.networks.set(networkId, set);
  }

  set(groupId: string, ethertype: Ethertype): void {
    if (!this.tracking) return;
    this.sets.set(`${ethertype}/${groupId}`, { groupId, ethertype });
  }

  setMembers(groupId: string, ethertype: Ethertype, ip: string): void {
    if (!this.tracking) return;
    const key = `${ethertype}/${groupId}`;
    const set = this.members.get(key);
    if (set) set.ips.add(ip);
    else this.members.set(key, { groupId, ethertype, ips: new Set([ip]) });
  }

  hostSets(host: string | null | undefined): void {
    if (host && this.tracking) this.setHosts.add(host);
  }

  /** A port bound to `host` changed what its agent plugs or filters. */
  local(host: string | null | undefined): void {
    if (host && this.tracking) this.localHosts.add(host);
  }

  /** The group's rules changed: every host with a port in it. */
  localGroup(groupId: string): void {
    if (this.tracking) this.localGroups.add(groupId);
  }

  /** The network's type or segment changed: every host with a port on it. */
  localNetwork(networkId: string): void {
    if (this.tracking) this.localNetworks.add(networkId);
  }
}
