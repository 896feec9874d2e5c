import type { L2Changes } from '../../apps/l2pop-projector/src/contract/l2-documents';

/**
 * The entries a change document carries, whatever its format: FDB pairs, flood
 * IPs and set members, given or removed (a removed network or set counts 1). A
 * lists delta repeats a remote's whole entry list and a set's whole member list
 * for one change; an entry delta carries the changed ones.
 */
export function entriesCarried(doc: L2Changes): number {
  let n = 0;
  if (doc.resync) {
    for (const net of Object.values(doc.networks)) n += net.flood.length + Object.values(net.fdb).reduce((s, l) => s + l.length, 0);
    for (const set of Object.values(doc.ipsets)) n += set.members.length;
    return n;
  }
  if ('delta' in doc) {
    for (const net of Object.values(doc.networks)) {
      n += net ? net.flood.added.length + net.flood.removed.length + net.fdb.added.length + net.fdb.removed.length : 1;
    }
    for (const set of Object.values(doc.ipsets)) n += set ? set.members.added.length + set.members.removed.length : 1;
    return n;
  }
  for (const net of Object.values(doc.networks)) {
    n += net ? Object.values(net.remotes).reduce((s, l) => s + 1 + (l?.length ?? 0), 0) : 1;
  }
  for (const set of Object.values(doc.ipsets)) n += set ? set.members.length : 1;
  return n;
}
