import type { HostShell } from './host-shell';
import { emptyKernel, type L2Kernel } from './l2-plan';

interface Link {
  ifname: string;
  master?: string;
}
interface FdbEntry {
  mac: string;
  ifname: string;
  dst?: string;
}
interface Neighbour {
  dst: string;
  dev: string;
  lladdr?: string;
}

/** The host's taps (Neutron's `tap<port id[:11]>`), whatever they are plugged into. */
export async function readTaps(shell: HostShell): Promise<Map<string, string>> {
  const links = await shell.json<Link>('ip', ['link', 'show']);
  return new Map(links.filter((l) => l.ifname.startsWith('tap')).map((l) => [l.ifname, l.master ?? '']));
}

/**
 * What the kernel has of what the agent programs (its `vx-<vni>` devices, their
 * bridges, FDB and neighbour entries, the taps plugged into its bridges): the
 * starting point of a reconciliation after a restart.
 */
export async function readL2Kernel(shell: HostShell): Promise<L2Kernel> {
  const kernel = emptyKernel();
  const links = await shell.json<Link>('ip', ['link', 'show']);
  const vniOf = new Map<string, number>();
  for (const l of links) {
    const m = /^vx-(\d+)$/.exec(l.ifname);
    if (!m) continue;
    const vni = Number(m[1]);
    vniOf.set(l.ifname, vni);
    kernel.networks.set(vni, l.master ?? '');
    kernel.fdb.set(vni, new Set());
    kernel.neigh.set(vni, new Set());
  }
  for (const l of links) if (l.ifname.startsWith('tap') && l.master?.startsWith('brq')) kernel.taps.set(l.ifname, l.master);
  for (const e of await shell.json<FdbEntry>('bridge', ['fdb', 'show'])) {
    const vni = vniOf.get(e.ifname);
    if (vni !== undefined && e.dst) kernel.fdb.get(vni)!.add(`${e.mac} ${e.dst}`);
  }
  for (const n of await shell.json<Neighbour>('ip', ['neigh', 'show'])) {
    const vni = vniOf.get(n.dev);
    if (vni !== undefined && n.lladdr) kernel.neigh.get(vni)!.add(`${n.dst} ${n.lladdr}`);
  }
  return kernel;
}
