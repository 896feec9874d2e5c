import type { Database, Tx } from '@cp/store';
import type { LocalPortView, SecurityGroupRuleView } from '../contract/l2-documents';
import { cmp, nullableNumber, uniqueSorted } from '../model/rules';
import { askTable, type DeltaAsk } from './asks';

interface PortRow {
  id: string;
  network_id: string;
  mac: string;
  device_owner: string;
  port_security: number;
  network_type: string | null;
  segmentation_id: number | null;
}

interface RuleRow {
  id: string;
  sg_id: string;
  ethertype: 'IPv4' | 'IPv6';
  remote_group_id: string | null;
  spec: string;
}

export interface LocalDocuments {
  ports: Record<string, LocalPortView>;
  security_groups: Record<string, SecurityGroupRuleView[]>;
}

/**
 * The ports bound to a host and the rules of their groups, read from the facts
 * (a host's ports are few, so they are read whole whenever they changed).
 */
export async function readLocal(db: Database, tx: Tx | undefined, host: string): Promise<LocalDocuments> {
  const rows = await db.all<PortRow>(
    `SELECT p.id, p.network_id, p.mac, p.device_owner, p.port_security, n.network_type, n.segmentation_id
       FROM l2_ports p LEFT JOIN l2_networks n ON n.id = p.network_id WHERE p.host = ?`,
    [host],
    tx,
  );
  if (rows.length === 0) return { ports: {}, security_groups: {} };
  const ips = await db.all<{ port_id: string; kind: string; ip: string }>(
    'SELECT i.port_id, i.kind, i.ip FROM l2_port_ips i JOIN l2_ports p ON p.id = i.port_id WHERE p.host = ?',
    [host],
    tx,
  );
  const sgs = await db.all<{ port_id: string; sg_id: string }>(
    'SELECT ps.port_id, ps.sg_id FROM l2_port_sgs ps JOIN l2_ports p ON p.id = ps.port_id WHERE p.host = ?',
    [host],
    tx,
  );
  const rules = await db.all<RuleRow>(
    `SELECT id, sg_id, ethertype, remote_group_id, spec FROM l2_sg_rules WHERE sg_id IN
       (SELECT ps.sg_id FROM l2_port_sgs ps JOIN l2_ports p ON p.id = ps.port_id WHERE p.host = ?)`,
    [host],
    tx,
  );
  const ports: Record<string, LocalPortView> = {};
  for (const r of [...rows].sort((a, b) => cmp(a.id, b.id))) {
    const mine = ips.filter((i) => i.port_id === r.id);
    ports[r.id] = {
      network_id: r.network_id,
      network_type: r.network_type ?? '',
      segmentation_id: nullableNumber(r.segmentation_id),
      mac_address: r.mac,
      fixed_ips: uniqueSorted(mine.filter((i) => i.kind === 'fixed').map((i) => i.ip)),
      allowed_address_pairs: uniqueSorted(mine.filter((i) => i.kind === 'pair').map((i) => i.ip)),
      security_groups: uniqueSorted(sgs.filter((g) => g.port_id === r.id).map((g) => g.sg_id)),
      port_security_enabled: Number(r.port_security) === 1,
      device_owner: r.device_owner,
    };
  }
  const groups: Record<string, SecurityGroupRuleView[]> = {};
  for (const g of uniqueSorted(sgs.map((s) => s.sg_id))) groups[g] = [];
  for (const r of [...rules].sort((a, b) => cmp(a.id, b.id))) {
    const spec = JSON.parse(r.spec) as Omit<SecurityGroupRuleView, 'id' | 'ethertype' | 'remote_group_id'>;
    groups[r.sg_id].push({ id: r.id, ethertype: r.ethertype, remote_group_id: r.remote_group_id, ...spec });
  }
  return { ports, security_groups: groups };
}

/** Whether the host's own ports changed after revision `from` (query/l2-documents.ts sends them again then). */
export async function localChangedSince(db: Database, tx: Tx | undefined, host: string, from: number): Promise<boolean> {
  return (await localChangedMany(db, tx, [{ host, from }]))[0];
}

/** `localChangedSince` for each ask, in one query. */
export async function localChangedMany(
  db: Database,
  tx: Tx | undefined,
  asks: readonly Pick<DeltaAsk, 'host' | 'from'>[],
): Promise<boolean[]> {
  const q = askTable(asks);
  const rows = await db.all<{ i: number }>(`${q.sql} SELECT q.i FROM q JOIN l2_host_local l ON l.host = q.h AND l.seq > q.f`, q.params, tx);
  const changed = asks.map(() => false);
  for (const r of rows) changed[Number(r.i)] = true;
  return changed;
}
