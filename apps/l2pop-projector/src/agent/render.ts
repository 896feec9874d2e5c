import type { L2Snapshot } from '../contract/l2-documents';

/** What the agent would program, one line per flow or set, as an operator reads it. */
export function render(view: L2Snapshot): string {
  const lines = [`host ${view.host} revision ${view.revision}`];
  for (const [id, net] of Object.entries(view.networks)) {
    lines.push(`  network ${id} ${net.network_type}/${net.segmentation_id ?? '-'} flood [${net.flood.join(', ')}]`);
    for (const [tunnelIp, entries] of Object.entries(net.fdb)) {
      for (const [mac, ip] of entries) lines.push(`    fdb ${mac} ${ip} via ${tunnelIp}`);
    }
  }
  for (const [name, set] of Object.entries(view.ipsets)) {
    lines.push(`  ipset ${name} (${set.ethertype} ${set.security_group_id}) [${set.members.join(', ')}]`);
  }
  return lines.join('\n');
}
