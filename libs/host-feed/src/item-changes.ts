/**
 * An agent's copy of a document made of whole items by id (L3's routers,
 * DHCP's networks), with a delta's items folded in: each given whole, or null
 * when removed. The delta must start at the copy's revision; the result is in
 * id order, as the server sends snapshots, so snapshot(r0) + deltas == snapshot(r).
 */
export function mergeItemChanges<T, Copy extends { revision: string }>(
  local: Copy | null,
  doc: { since: string },
  items: (copy: Copy) => Record<string, T>,
  changes: Record<string, T | null>,
): Record<string, T> {
  if (!local || local.revision !== doc.since)
    throw new Error(`delta since ${doc.since} does not apply to revision ${local?.revision ?? 'none'}`);
  const merged = { ...items(local) };
  for (const [id, item] of Object.entries(changes)) {
    if (item === null) delete merged[id];
    else merged[id] = structuredClone(item);
  }
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
