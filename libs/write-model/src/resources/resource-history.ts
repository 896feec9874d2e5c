import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DomainEvent } from '@cp/events';
import { openDatabase, type EventStore } from '@cp/store';
import { RESOURCE_MAPPERS } from './registry';
import { ResourceStore, type Body } from './resource-store';
import { ResourceTable } from './resource.table';
import { ResourcesProjection } from './resources.projection';
import { SUBNET } from './subnet.view';

/**
 * Where a kind's events are filed (the audit columns): its stream category.
 * A rule is filed under its group's stream with its own id.
 */
const CATEGORY: Record<string, string> = {
  network: 'network',
  subnet: 'subnet',
  port: 'port',
  router: 'router',
  security_group: 'security-group',
  security_group_rule: 'security-group',
  floatingip: 'floatingip',
  agent: 'agent',
};

/** Children whose events change the parent's body: a network's `subnets`, a group's `security_group_rules`. */
const CHILDREN: Record<string, { category: string; created: string; field: string }> = {
  network: { category: SUBNET, created: 'SubnetCreated', field: 'networkId' },
  security_group: { category: 'security-group', created: 'SecurityGroupRuleCreated', field: 'securityGroupId' },
};

/** The kinds a resource can be asked about as it was. */
export const HISTORICAL_KINDS = Object.keys(CATEGORY);

/**
 * A resource's API body as it was at a log position: the events about it up
 * to there (and its children's, CHILDREN) folded by the same mappers as the
 * live model, into a scratch model. Null when it did not exist then.
 */
export async function resourceAt(store: EventStore, kind: string, id: string, position: number): Promise<Body | null> {
  const category = CATEGORY[kind];
  if (!category) throw new Error(`no history for resources of kind ${kind}`);
  const events: DomainEvent[] = await store.readResources(category, [id]);
  const children = CHILDREN[kind];
  if (children) {
    const ids = await store.findResourceIds([children.created], children.field, id);
    events.push(...(await store.readResources(children.category, ids)));
  }
  const upTo = events.filter((e) => (e.metadata.position ?? 0) <= position).sort((a, b) => a.metadata.position! - b.metadata.position!);
  if (upTo.length === 0) return null;
  // A scratch file (a schema is made on a connection of its own, so not :memory:), removed after.
  const dir = mkdtempSync(join(tmpdir(), 'cp-resource-at-'));
  const scratch = await openDatabase({ kind: 'sqlite', path: join(dir, 'resources.sqlite') }, [ResourceTable]).catch((err: Error) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  try {
    const resources = new ResourceStore(scratch);
    const projection = new ResourcesProjection(resources, RESOURCE_MAPPERS);
    await scratch.transaction(async (tx) => {
      for (const e of upTo) await projection.apply(tx, e);
    });
    return await resources.get(kind, id);
  } finally {
    await scratch.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
