import { ipToString, KIND, type Layout, type NetworkSpec } from './layout';
import { Rng, uuidOf } from './rng';
import type { PortSpec } from './bodies';

/**
 * Hands out ports for a layout: ids, MACs (unique in the cloud) and addresses
 * (the next free one of the network's block), with the groups tenants use: all
 * in `default`, some also in `web` or `db`, a few with a keepalived VIP as an
 * allowed address pair.
 */
export class PortFactory {
  private readonly used = new Map<number, number>();
  private count = 0;

  constructor(
    private readonly layout: Layout,
    private readonly rng: Rng,
    /** Where numbering starts: a second factory over the same layout must not reuse ids. */
    private readonly base = 0,
  ) {}

  /** How many of the network's addresses are handed out. */
  usedIn(net: NetworkSpec): number {
    return this.used.get(net.index) ?? 0;
  }

  hasRoom(net: NetworkSpec): boolean {
    return this.usedIn(net) < net.capacity / 2;
  }

  next(net: NetworkSpec, host: string): PortSpec {
    const n = this.base + this.count++;
    const offset = this.usedIn(net);
    this.used.set(net.index, offset + 1);
    const project = this.layout.projects[net.project];
    const groups = [project.defaultSg];
    const r = this.rng.next();
    if (r < 0.2) groups.push(project.webSg);
    else if (r < 0.3) groups.push(project.dbSg);
    return {
      id: uuidOf(KIND.port, n),
      network: net,
      projectId: project.id,
      host,
      mac: `fa:16:3e:${((n >>> 16) & 255).toString(16).padStart(2, '0')}:${((n >>> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`,
      // From the top of the block down: the API's IPAM hands out the lowest free address,
      // so ports it creates in the same network never collide with generated ones.
      ip: ipToString(net.firstIp + net.capacity - 8 - offset),
      groups,
      pairs: this.rng.chance(0.05) ? [ipToString(net.firstIp + net.capacity - 5)] : [],
      owner: 'compute:nova',
    };
  }
}
