import { EntitySchema } from '@mikro-orm/core';
import type { DomainEvent } from '@cp/events';
import type { Database, InlineProjection, Tx } from '@cp/store';

/**
 * Which ports use which security group: the fact behind "a group in use cannot be
 * deleted". Written in the append's transaction, so a delete reading it in its own
 * command transaction sees every committed port (see docs/api-slices.md).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- row shape is declared by the properties below
export const SecurityGroupPortTable = new EntitySchema<any>({
  name: 'SecurityGroupPortRow',
  tableName: 'security_group_ports',
  properties: {
    securityGroupId: { type: 'string', length: 64, fieldName: 'security_group_id', primary: true },
    portId: { type: 'string', length: 64, fieldName: 'port_id', primary: true },
  },
  indexes: [{ properties: ['portId'], name: 'security_group_ports_port_idx' }],
});

export class SecurityGroupPorts implements InlineProjection {
  readonly name = 'security_group_ports';
  constructor(private readonly db: Database) {}

  async apply(tx: Tx, event: DomainEvent): Promise<void> {
    switch (event.type) {
      case 'PortCreated':
        return this.insert(tx, event.data.id, event.data.securityGroups);
      case 'PortUpdated':
        // Absent means unchanged; present is the port's whole new list.
        if (event.data.changes.securityGroups === undefined) return;
        await this.clear(tx, event.data.id);
        return this.insert(tx, event.data.id, event.data.changes.securityGroups);
      case 'PortDeleted':
        return this.clear(tx, event.data.id);
      default:
        return;
    }
  }

  /** Ports (of any project) using the group. */
  async countPorts(tx: Tx, securityGroupId: string): Promise<number> {
    const row = await this.db.get<{ n: number | string }>(
      'SELECT COUNT(*) AS n FROM security_group_ports WHERE security_group_id = ?',
      [securityGroupId],
      tx,
    );
    return Number(row?.n ?? 0);
  }

  private async insert(tx: Tx, portId: string, groups: readonly string[]): Promise<void> {
    for (const g of new Set(groups)) {
      // Idempotent, so applying an event twice changes nothing.
      await this.db.run(
        'INSERT INTO security_group_ports (security_group_id, port_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
        [g, portId],
        tx,
      );
    }
  }

  private async clear(tx: Tx, portId: string): Promise<void> {
    await this.db.run('DELETE FROM security_group_ports WHERE port_id = ?', [portId], tx);
  }
}
