import type { L2Snapshot } from '../../contract/l2-documents';

/*
 * What the L2 agent programs in the kernel, as plain data, and the commands
 * that take the kernel from one state to another (pure: unit-tested without a
 * kernel). Per VXLAN network, Linux bridge agent style (DATAPLANE-LAB.md):
 *   a bridge `brq<network id[:11]>` with the VXLAN device `vx-<vni>` and the
 *   local VM taps (`tap<port id[:11]>`, Neutron's names) as its ports;
 *   on `vx-<vni>`: a flood entry per remote tunnel IP, a unicast entry per
 *   remote MAC, and a permanent neighbour per remote (IP, MAC), which the
 *   device's ARP proxy answers locally (`nolearning proxy`).
 */

export const FLOOD_MAC = '00:00:00:00:00:00';

export interface L2Kernel {
  /** VXLAN networks by VNI: their bridge. */
  networks: Map<number, string>;
  /** Local taps and the bridge each is (to be) a port of. */
  taps: Map<string, string>;
  /** Per VNI: `${mac} ${tunnelIp}` (the flood entry's MAC is all zeros). */
  fdb: Map<number, Set<string>>;
  /** Per VNI: `${ip} ${mac}`. */
  neigh: Map<number, Set<string>>;
}

export const tapName = (portId: string) => `tap${portId.slice(0, 11)}`;
export const bridgeName = (networkId: string) => `brq${networkId.slice(0, 11)}`;
export const vxlanName = (vni: number) => `vx-${vni}`;

export function emptyKernel(): L2Kernel {
  return { networks: new Map(), taps: new Map(), fdb: new Map(), neigh: new Map() };
}

/**
 * The state the view asks for. A network is programmed while some local port
 * is on it (its device must exist before the port can come up and make the
 * host a member) or the host is a member (an HA router's network). Only VXLAN
 * is programmed; other types are returned in `unsupported`.
 * @param presentTaps the taps that exist on the host now: only those can be plugged
 */
export function desiredKernel(view: L2Snapshot, presentTaps: ReadonlySet<string>): { kernel: L2Kernel; unsupported: string[] } {
  const kernel = emptyKernel();
  const unsupported = new Set<string>();
  const vniOf = new Map<string, number>();
  const serve = (networkId: string, type: string, seg: number | null) => {
    if (type !== 'vxlan' || seg === null) {
      unsupported.add(`${networkId} (${type || 'unknown'})`);
      return;
    }
    vniOf.set(networkId, seg);
    kernel.networks.set(seg, bridgeName(networkId));
  };
  for (const port of Object.values(view.ports)) serve(port.network_id, port.network_type, port.segmentation_id);
  for (const [id, net] of Object.entries(view.networks)) serve(id, net.network_type, net.segmentation_id);

  for (const [portId, port] of Object.entries(view.ports)) {
    const tap = tapName(portId);
    if (presentTaps.has(tap) && vniOf.has(port.network_id)) kernel.taps.set(tap, bridgeName(port.network_id));
  }
  for (const [id, net] of Object.entries(view.networks)) {
    const vni = vniOf.get(id);
    if (vni === undefined) continue;
    const fdb = new Set(net.flood.map((t) => `${FLOOD_MAC} ${t}`));
    const neigh = new Set<string>();
    for (const [tunnelIp, entries] of Object.entries(net.fdb)) {
      for (const [mac, ip] of entries) {
        fdb.add(`${mac} ${tunnelIp}`);
        neigh.add(`${ip} ${mac}`);
      }
    }
    kernel.fdb.set(vni, fdb);
    kernel.neigh.set(vni, neigh);
  }
  return { kernel, unsupported: [...unsupported].sort() };
}

/** Batches for `ip -force -batch -` and `bridge -force -batch -`, in the order they must run. */
export interface L2Commands {
  /** Devices created, taps plugged. */
  links: string[];
  fdb: string[];
  neigh: string[];
  /** Devices removed (their entries go with them), after everything else. */
  removals: string[];
}

/** The commands from `now` to `want`; entries already right are not touched. */
export function planL2(now: L2Kernel, want: L2Kernel, tunnelIp: string): L2Commands {
  const out: L2Commands = { links: [], fdb: [], neigh: [], removals: [] };
  for (const [vni, bridge] of want.networks) {
    if (now.networks.get(vni) === bridge) continue;
    const vx = vxlanName(vni);
    const old = now.networks.get(vni);
    if (old !== undefined) out.links.push(`link del ${vx}`, `link del ${old}`);
    out.links.push(
      `link add ${bridge} type bridge`,
      `link set ${bridge} up`,
      // proxy: the device answers ARP from the neighbour table; it can only be set at creation.
      `link add ${vx} type vxlan id ${vni} dstport 4789 local ${tunnelIp} nolearning proxy`,
      `link set ${vx} master ${bridge}`,
      `link set ${vx} up`,
    );
  }
  for (const [tap, bridge] of want.taps) {
    if (now.taps.get(tap) !== bridge) out.links.push(`link set ${tap} master ${bridge}`, `link set ${tap} up`);
  }
  for (const [tap] of now.taps) if (!want.taps.has(tap)) out.links.push(`link set ${tap} nomaster`);

  for (const [vni, entries] of want.fdb) {
    const recreated = now.networks.get(vni) !== want.networks.get(vni);
    const had = recreated ? new Set<string>() : (now.fdb.get(vni) ?? new Set<string>());
    const dev = vxlanName(vni);
    for (const e of had) if (!entries.has(e)) out.fdb.push(`fdb del ${fdbArgs(e, dev)}`);
    for (const e of entries) {
      if (had.has(e)) continue;
      // Flood entries share the all-zeros MAC, one per remote: append. A unicast MAC has one remote: replace.
      out.fdb.push(`fdb ${e.startsWith(FLOOD_MAC) ? 'append' : 'replace'} ${fdbArgs(e, dev)}`);
    }
  }
  for (const [vni, entries] of want.neigh) {
    const recreated = now.networks.get(vni) !== want.networks.get(vni);
    const had = recreated ? new Set<string>() : (now.neigh.get(vni) ?? new Set<string>());
    const dev = vxlanName(vni);
    for (const e of had) {
      const [ip] = e.split(' ');
      // A neighbour whose MAC changed is replaced below, not deleted.
      if (!entries.has(e) && ![...entries].some((w) => w.split(' ')[0] === ip)) out.neigh.push(`neigh del ${ip} dev ${dev}`);
    }
    for (const e of entries) {
      if (had.has(e)) continue;
      const [ip, mac] = e.split(' ');
      out.neigh.push(`neigh replace ${ip} lladdr ${mac} dev ${dev} nud permanent`);
    }
  }
  // Entries of networks still served but no longer populated (the host left its L2 population).
  for (const [vni, had] of now.fdb) {
    if (want.fdb.has(vni) || !want.networks.has(vni)) continue;
    for (const e of had) out.fdb.push(`fdb del ${fdbArgs(e, vxlanName(vni))}`);
  }
  for (const [vni, had] of now.neigh) {
    if (want.neigh.has(vni) || !want.networks.has(vni)) continue;
    for (const e of had) out.neigh.push(`neigh del ${e.split(' ')[0]} dev ${vxlanName(vni)}`);
  }
  for (const [vni, bridge] of now.networks) {
    if (want.networks.has(vni)) continue;
    out.removals.push(`link del ${vxlanName(vni)}`, `link del ${bridge}`);
  }
  return out;
}

function fdbArgs(entry: string, dev: string): string {
  const [mac, dst] = entry.split(' ');
  return `${mac} dev ${dev} dst ${dst}`;
}
