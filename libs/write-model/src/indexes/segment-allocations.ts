import { EntitySchema } from '@mikro-orm/core';
import type { DomainEvent } from '@cp/events';
import type { Database, InlineProjection, Tx } from '@cp/store';

/**
 * Which segmentation ids are taken, per type and physical network. The primary
 * key is what keeps two concurrent creates from taking the same VNI or VLAN.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- row shape is declared by the properties below
export const SegmentAllocationTable = new EntitySchema<any>({
  name: 'SegmentAllocationRow',
  tableName: 'segment_allocations',
  properties: {
    networkType: { type: 'string', length: 16, fieldName: 'network_type', primary: true },
    physicalNetwork: { type: 'string', length: 64, fieldName: 'physical_network', primary: true },
    segmentationId: { type: 'bigint', fieldName: 'segmentation_id', primary: true },
    networkId: { type: 'string', length: 64, fieldName: 'network_id' },
  },
});

export class SegmentAllocations implements InlineProjection {
  readonly name = 'segment_allocations';
  constructor(private readonly db: Database) {}

  async apply(tx: Tx, event: DomainEvent): Promise<void> {
    if (event.type === 'NetworkCreated' && event.data.segmentationId !== null) {
      await this.db.run(
        'INSERT INTO segment_allocations (network_type, physical_network, segmentation_id, network_id) VALUES (?, ?, ?, ?)',
        [event.data.networkType, event.data.physicalNetwork ?? '', event.data.segmentationId, event.data.id],
        tx,
      );
    } else if (event.type === 'NetworkDeleted') {
      await this.db.run('DELETE FROM segment_allocations WHERE network_id = ?', [event.data.id], tx);
    }
  }

  async isTaken(tx: Tx, type: string, physnet: string | null, id: number): Promise<boolean> {
    const row = await this.db.get(
      'SELECT 1 AS x FROM segment_allocations WHERE network_type = ? AND physical_network = ? AND segmentation_id = ?',
      [type, physnet ?? '', id],
      tx,
    );
    return row !== undefined;
  }

  /**
   * Lowest free id in [min, max] of a type on a physical network (null: a tunnel's), or null
   * when the range is exhausted. One query on both databases: the lowest candidate, min or
   * just above a taken id, that is not taken itself; the primary key serves both lookups.
   */
  async lowestFree(tx: Tx, type: string, physnet: string | null, min: number, max: number): Promise<number | null> {
    const key = [type, physnet ?? ''];
    const row = await this.db.get<{ next: number | string | null }>(
      `SELECT MIN(c.next) AS next FROM (
         SELECT CAST(? AS BIGINT) AS next
         UNION ALL
         SELECT a.segmentation_id + 1 FROM segment_allocations a
         WHERE a.network_type = ? AND a.physical_network = ? AND a.segmentation_id >= ? AND a.segmentation_id < ?
       ) c
       WHERE NOT EXISTS (SELECT 1 FROM segment_allocations b
         WHERE b.network_type = ? AND b.physical_network = ? AND b.segmentation_id = c.next)`,
      [min, ...key, min, max, ...key],
      tx,
    );
    return row?.next === null || row?.next === undefined ? null : Number(row.next);
  }
}
