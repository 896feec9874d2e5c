import type { DomainEventBody } from '@cp/events';
import { spec } from '../testing/given-when-then';
import { portDecider, type UpdatePortChanges, type UpdatePortFacts } from './port.decider';
import { created, MAC, ref, s4, s4b, slaac } from './port.fixtures';

const { given } = spec(portDecider);
const base: DomainEventBody = { type: 'PortCreated', data: created };
const bound: DomainEventBody = { type: 'PortBoundToHost', data: { ...ref, host: 'compute-1', previousHost: '' } };
const active: DomainEventBody = { type: 'PortActivated', data: { ...ref, host: 'compute-1' } };
const ipamFacts = { subnets: [s4, s4b], usedIps: { s4: new Set(['10.0.0.2', '10.0.0.3']) } };
const update = (changes: UpdatePortChanges, facts: UpdatePortFacts = ipamFacts, history: DomainEventBody[] = [base]) =>
  given(history).when({ type: 'UpdatePort', data: { id: 'port1', changes }, facts });
const updated = (changes: object) => ({ type: 'PortUpdated' as const, data: { ...ref, changes } });

describe('port decider: update', () => {
  it('records only what changes, and nothing for a no-op', () => {
    update({ name: 'vm1', description: 'web', adminStateUp: true }).thenEvents([updated({ description: 'web' })]);
    update({ name: 'vm1', securityGroups: ['sg-default'], macAddress: MAC.toUpperCase() }).thenEvents([]);
  });

  it('binds, rebinds (port goes DOWN) and unbinds', () => {
    update({ hostId: 'compute-1' }).thenEvents([bound]);
    const moved = update({ hostId: 'compute-2' }, {}, [base, bound, active]).thenEvents([
      { type: 'PortBoundToHost', data: { ...ref, host: 'compute-2', previousHost: 'compute-1' } },
    ]);
    const after = portDecider.evolve(given([base, bound, active]).state, moved[0]);
    expect(after.status === 'active' && [after.port.hostId, after.port.status]).toEqual(['compute-2', 'DOWN']);
    update({ hostId: '', name: 'x' }, {}, [base, bound]).thenEvents([
      updated({ name: 'x' }),
      { type: 'PortUnbound', data: { ...ref, previousHost: 'compute-1' } },
    ]);
  });

  it('keeps current addresses and allocates new ones past those in use', () => {
    update({ fixedIps: [{ ipAddress: '10.0.0.2' }, { subnetId: 's4' }] }).thenEvents([
      updated({
        fixedIps: [
          { subnetId: 's4', ipAddress: '10.0.0.2' },
          { subnetId: 's4', ipAddress: '10.0.0.4' },
        ],
      }),
    ]);
  });

  it('reuses the current address for a subnet-only entry', () => {
    update({ fixedIps: [{ subnetId: 's4' }] }).thenEvents([]);
    update({ fixedIps: [{ subnetId: 's4' }, { subnetId: 's4b' }] }).thenEvents([
      updated({
        fixedIps: [
          { subnetId: 's4', ipAddress: '10.0.0.2' },
          { subnetId: 's4b', ipAddress: '10.0.1.2' },
        ],
      }),
    ]);
  });

  it('replaces an address, and refuses one another port holds', () => {
    update({ fixedIps: [{ subnetId: 's4', ipAddress: '10.0.0.50' }] }).thenEvents([
      updated({ fixedIps: [{ subnetId: 's4', ipAddress: '10.0.0.50' }] }),
    ]);
    update({ fixedIps: [{ ipAddress: '10.0.0.3' }] }).thenRejected(409, 'IpAddressAlreadyAllocated');
    update({ fixedIps: [{ ipAddress: '10.0.9.3' }] }).thenRejected(400, 'InvalidIpForNetwork');
  });

  it('keeps a SLAAC address the update does not mention', () => {
    const eui = { subnetId: 'slaac', ipAddress: '2001:db8:1:0:f816:3eff:fe11:2233' };
    const dual: DomainEventBody = { type: 'PortCreated', data: { ...created, fixedIps: [...created.fixedIps, eui] } };
    update({ fixedIps: [{ subnetId: 's4', ipAddress: '10.0.0.9' }] }, { subnets: [s4, slaac], usedIps: {} }, [dual]).thenEvents([
      updated({ fixedIps: [{ subnetId: 's4', ipAddress: '10.0.0.9' }, eui] }),
    ]);
    // Naming the port's own SLAAC address keeps it (only a new one may not be chosen by hand).
    update({ fixedIps: [{ subnetId: 's4', ipAddress: '10.0.0.9' }, eui] }, { subnets: [s4, slaac], usedIps: {} }, [dual]).thenEvents([
      updated({ fixedIps: [{ subnetId: 's4', ipAddress: '10.0.0.9' }, eui] }),
    ]);
    update({ fixedIps: [{ subnetId: 'slaac', ipAddress: '2001:db8:1::5' }] }, { subnets: [s4, slaac], usedIps: {} }, [dual]).thenRejected(
      400,
      'AllocationOnAutoAddressSubnet',
    );
  });

  it('will not disable port security under groups or address pairs', () => {
    update({ portSecurityEnabled: false }).thenRejected(409, 'PortSecurityPortHasSecurityGroup');
    update({ portSecurityEnabled: false, securityGroups: ['sg-default'] }).thenRejected(400, 'PortSecurityAndIPRequiredForSecurityGroups');
    update({ portSecurityEnabled: false, securityGroups: [] }).thenEvents([updated({ portSecurityEnabled: false, securityGroups: [] })]);
    update({ portSecurityEnabled: false, securityGroups: [], allowedAddressPairs: [{ ipAddress: '10.0.0.99' }] }).thenRejected(
      409,
      'AddressPairAndPortSecurityRequired',
    );
  });

  it('checks new security groups and address pairs', () => {
    update({ securityGroups: ['sg-x'] }, { missingSecurityGroups: ['sg-x'] }).thenRejected(404, 'SecurityGroupNotFound');
    update(
      { securityGroups: ['sg-a', 'sg-a'], allowedAddressPairs: [{ ipAddress: '10.0.0.99/32' }] },
      { missingSecurityGroups: [] },
    ).thenEvents([updated({ securityGroups: ['sg-a'], allowedAddressPairs: [{ ipAddress: '10.0.0.99/32', macAddress: MAC }] })]);
  });

  it('changes the MAC of an unbound port, and refuses it on a bound one', () => {
    update({ macAddress: 'fa:16:3e:00:00:09' }, {}, [base, bound]).thenRejected(
      409,
      'PortBound',
      /old_mac fa:16:3e:11:22:33, new_mac fa:16:3e:00:00:09/,
    );
    update({ macAddress: 'FA:16:3E:00:00:09' }).thenEvents([updated({ macAddress: 'fa:16:3e:00:00:09' })]);
    update({ macAddress: 'fa:16:3e:00:00:09' }, { macInUse: true }).thenRejected(409, 'MacAddressInUse');
    update({ macAddress: 'nope' }).thenRejected(400, 'HTTPBadRequest');
  });

  it('404s on an unknown or deleted port', () => {
    update({ name: 'x' }, {}, []).thenRejected(404, 'PortNotFound', /Port port1 could not be found/);
    update({ name: 'x' }, {}, [base, { type: 'PortDeleted', data: { ...ref, host: '' } }]).thenRejected(404, 'PortNotFound');
  });
});
