import { EntitySchema } from '@mikro-orm/core';
import { isAutoAddressSubnet } from '@cp/domain';
import type { DomainEvent } from '@cp/events';
import type { Database, InlineProjection, Tx } from '@cp/store';
import { FreeRanges } from './ip-availability';

/**
 * Which addresses are taken, maintained in the append's transaction. The
 * primary keys are the invariants: two commands that decided on the same IP
 * (or MAC) cannot both commit; the loser's unique violation makes the
 * CommandRunner re-run it from fresh facts, so it picks the next free one.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- row shape is declared by the properties below
export const IpAllocationTable = new EntitySchema<any>({
  name: 'IpAllocationRow',
  tableName: 'ip_allocations',
  properties: {
    subnetId: { type: 'string', length: 64, fieldName: 'subnet_id', primary: true },
    ipAddress: { type: 'string', length: 45, fieldName: 'ip_address', primary: true },
    portId: { type: 'string', length: 64, fieldName: 'port_id' },
  },
  indexes: [{ properties: ['portId'], name: 'ip_allocations_port_idx' }],
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- row shape is declared by the properties below
export const MacAllocationTable = new EntitySchema<any>({
  name: 'MacAllocationRow',
  tableName: 'mac_allocations',
  properties: {
    networkId: { type: 'string', length: 64, fieldName: 'network_id', primary: true },
    macAddress: { type: 'string', length: 17, fieldName: 'mac_address', primary: true },
    portId: { type: 'string', length: 64, fieldName: 'port_id' },
  },
  indexes: [{ properties: ['portId'], name: 'mac_allocations_port_idx' }],
});

/**
 * ip_allocations and, beside it, the free ranges of subnets that allocate from
 * their pools (ip-availability.ts): one projection, so each claim and release
 * moves an address between the two in the same statement sequence.
 */
export class IpAllocations implements InlineProjection {
  readonly name = 'ip_allocations';
  private readonly free: FreeRanges;
  constructor(private readonly db: Database) {
    this.free = new FreeRanges(db);
  }

  async apply(tx: Tx, event: DomainEvent): Promise<void> {
    switch (event.type) {
      case 'SubnetCreated':
        if (!isAutoAddressSubnet(event.data)) await this.free.open(tx, event.data.id, event.data.allocationPools);
        return;
      case 'SubnetUpdated':
        if (event.data.changes.allocationPools !== undefined) await this.free.repool(tx, event.data.id, event.data.changes.allocationPools);
        return;
      case 'PortCreated':
        return this.claim(tx, event.data.id, event.data.fixedIps);
      case 'PortUpdated': {
        if (event.data.changes.fixedIps === undefined) return;
        // An update may keep some of its own addresses: only the difference moves.
        const before = await this.release(tx, event.data.id);
        const after = event.data.changes.fixedIps;
        await this.insert(tx, event.data.id, after);
        const key = (ip: { subnetId: string; ipAddress: string }) => `${ip.subnetId} ${ip.ipAddress}`;
        const kept = new Set(after.map(key));
        for (const ip of before) if (!kept.has(key(ip))) await this.free.release(tx, ip.subnetId, ip.ipAddress);
        const had = new Set(before.map(key));
        for (const ip of after) if (!had.has(key(ip))) await this.free.claim(tx, ip.subnetId, ip.ipAddress);
        return;
      }
      case 'PortDeleted':
        for (const ip of await this.release(tx, event.data.id)) await this.free.release(tx, ip.subnetId, ip.ipAddress);
        return;
      case 'SubnetDeleted':
        await this.db.run('DELETE FROM ip_allocations WHERE subnet_id = ?', [event.data.id], tx);
        await this.free.close(tx, event.data.id);
        return;
      default:
        return;
    }
  }

  private async claim(tx: Tx, portId: string, ips: ReadonlyArray<{ subnetId: string; ipAddress: string }>) {
    await this.insert(tx, portId, ips);
    for (const ip of ips) await this.free.claim(tx, ip.subnetId, ip.ipAddress);
  }

  private async insert(tx: Tx, portId: string, ips: ReadonlyArray<{ subnetId: string; ipAddress: string }>) {
    for (const ip of ips) {
      await this.db.run(
        'INSERT INTO ip_allocations (subnet_id, ip_address, port_id) VALUES (?, ?, ?)',
        [ip.subnetId, ip.ipAddress, portId],
        tx,
      );
    }
  }

  /** Drops the port's rows and returns what it held. */
  private async release(tx: Tx, portId: string): Promise<Array<{ subnetId: string; ipAddress: string }>> {
    const rows = await this.db.all<{ subnet_id: string; ip_address: string }>(
      'SELECT subnet_id, ip_address FROM ip_allocations WHERE port_id = ?',
      [portId],
      tx,
    );
    if (rows.length > 0) await this.db.run('DELETE FROM ip_allocations WHERE port_id = ?', [portId], tx);
    return rows.map((r) => ({ subnetId: r.subnet_id, ipAddress: r.ip_address }));
  }
}

export class MacAllocations implements InlineProjection {
  readonly name = 'mac_allocations';
  constructor(private readonly db: Database) {}

  async apply(tx: Tx, event: DomainEvent): Promise<void> {
    const insert = (networkId: string, mac: string, portId: string) =>
      this.db.run('INSERT INTO mac_allocations (network_id, mac_address, port_id) VALUES (?, ?, ?)', [networkId, mac, portId], tx);
    switch (event.type) {
      case 'PortCreated':
        await insert(event.data.networkId, event.data.macAddress, event.data.id);
        return;
      case 'PortUpdated':
        if (event.data.changes.macAddress === undefined) return;
        await this.db.run('DELETE FROM mac_allocations WHERE port_id = ?', [event.data.id], tx);
        await insert(event.data.networkId, event.data.changes.macAddress, event.data.id);
        return;
      case 'PortDeleted':
        await this.db.run('DELETE FROM mac_allocations WHERE port_id = ?', [event.data.id], tx);
        return;
      default:
        return;
    }
  }
}

/** Reads of the two indexes, always inside the command's transaction. */
export const allocationQueries = {
  async ipsOn(db: Database, tx: Tx, subnetId: string): Promise<string[]> {
    const rows = await db.all<{ ip_address: string }>('SELECT ip_address FROM ip_allocations WHERE subnet_id = ?', [subnetId], tx);
    return rows.map((r) => r.ip_address);
  },
  /** The subnet's first free ranges in pool order, at most `limit` (see FreeRanges.first). */
  firstFree(db: Database, tx: Tx, subnetId: string, limit: number) {
    return new FreeRanges(db).first(tx, subnetId, limit);
  },
  /** Which of `ips` (canonical text) are held on the subnet. */
  async takenAmong(db: Database, tx: Tx, subnetId: string, ips: readonly string[]): Promise<string[]> {
    if (ips.length === 0) return [];
    const rows = await db.all<{ ip_address: string }>(
      `SELECT ip_address FROM ip_allocations WHERE subnet_id = ? AND ip_address IN (${ips.map(() => '?').join(', ')})`,
      [subnetId, ...ips],
      tx,
    );
    return rows.map((r) => r.ip_address);
  },
  async macTaken(db: Database, tx: Tx, networkId: string, mac: string): Promise<boolean> {
    const row = await db.get('SELECT 1 AS x FROM mac_allocations WHERE network_id = ? AND mac_address = ?', [networkId, mac], tx);
    return row !== undefined;
  },
  /** Ports holding an address on the subnet, with the address. */
  async holders(db: Database, tx: Tx, subnetId: string): Promise<Array<{ portId: string; ipAddress: string }>> {
    const rows = await db.all<{ port_id: string; ip_address: string }>(
      'SELECT port_id, ip_address FROM ip_allocations WHERE subnet_id = ? ORDER BY ip_address',
      [subnetId],
      tx,
    );
    return rows.map((r) => ({ portId: r.port_id, ipAddress: r.ip_address }));
  },
};
