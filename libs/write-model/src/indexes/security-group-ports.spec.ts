import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvent, type DomainEvent } from '@cp/events';
import { type Database, openDatabase } from '@cp/store';
import { SecurityGroupPorts, SecurityGroupPortTable } from './security-group-ports';

let position = 0;
const event = (type: string, data: Record<string, unknown>): DomainEvent =>
  readEvent({
    type,
    data,
    metadata: {
      eventId: '00000000-0000-4000-8000-' + String(++position).padStart(12, '0'),
      schemaVersion: 1,
      streamId: `port:${String(data.id)}`,
      streamVersion: position,
      position,
      projectId: 'p1',
      actor: 'test',
      requestId: 'req-1',
      causationId: null,
      occurredAt: '2024-05-01T10:00:00Z',
    },
  });

const port = { id: 'port1', networkId: 'net1', projectId: 'p1' };
const created = event('PortCreated', {
  ...port,
  name: '',
  description: '',
  adminStateUp: true,
  deviceId: '',
  deviceOwner: '',
  fixedIps: [],
  securityGroups: ['sgA', 'sgB'],
  portSecurityEnabled: true,
  allowedAddressPairs: [],
  macAddress: 'fa:16:3e:00:00:01',
  vnicType: 'normal',
  hostId: '',
});

describe('security_group_ports', () => {
  let db: Database;
  let index: SecurityGroupPorts;
  const rows = () => db.all('SELECT security_group_id, port_id FROM security_group_ports ORDER BY security_group_id');
  const apply = (e: DomainEvent) => db.transaction((tx) => index.apply(tx, e));

  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spec-'));
    db = await openDatabase({ kind: 'sqlite', path: join(dir, 'db.sqlite') }, [SecurityGroupPortTable]);
    index = new SecurityGroupPorts(db);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows the groups a port is created with, updated to and deleted from', async () => {
    await apply(created);
    expect(await rows()).toEqual([
      { security_group_id: 'sgA', port_id: 'port1' },
      { security_group_id: 'sgB', port_id: 'port1' },
    ]);
    await apply(event('PortUpdated', { ...port, changes: { name: 'x' } }));
    expect(await rows()).toHaveLength(2);
    await apply(event('PortUpdated', { ...port, changes: { securityGroups: ['sgC'] } }));
    expect(await rows()).toEqual([{ security_group_id: 'sgC', port_id: 'port1' }]);
    expect(await db.transaction((tx) => index.countPorts(tx, 'sgC'))).toBe(1);
    expect(await db.transaction((tx) => index.countPorts(tx, 'sgA'))).toBe(0);
    await apply(event('PortDeleted', { ...port, host: '' }));
    expect(await rows()).toEqual([]);
  });

  it('changes nothing when an event is applied twice', async () => {
    await apply(created);
    await apply(created);
    expect(await rows()).toHaveLength(2);
  });
});
