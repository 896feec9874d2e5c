import type { DomainEventBody } from '@cp/events';
import { spec } from '../testing/given-when-then';
import { mergeExtraDhcpOpts } from './extra-dhcp-opts';
import { portDecider } from './port.decider';
import { created, ref } from './port.fixtures';

const { given } = spec(portDecider);
const boot = { optName: 'bootfile-name', optValue: 'pxelinux.0', ipVersion: 4 as const };
const tftp = { optName: 'tftp-server', optValue: '198.18.0.9', ipVersion: 4 as const };
const withOpts: DomainEventBody = { type: 'PortCreated', data: { ...created, extraDhcpOpts: [boot, tftp] } };

describe('extra DHCP options (Neutron extra_dhcp_opt)', () => {
  it('replaces a named option, removes one given a null value, adds a new one and keeps the rest', () => {
    expect(
      mergeExtraDhcpOpts(
        [boot, tftp],
        [
          { optName: 'bootfile-name', optValue: 'ipxe.efi', ipVersion: 4 },
          { optName: 'tftp-server', optValue: null, ipVersion: 4 },
          { optName: 'dns-server', optValue: '[2001:db8::53]', ipVersion: 6 },
        ],
      ),
    ).toEqual([
      { ...boot, optValue: 'ipxe.efi' },
      { optName: 'dns-server', optValue: '[2001:db8::53]', ipVersion: 6 },
    ]);
    // The same name for the other IP version is another option.
    expect(mergeExtraDhcpOpts([boot], [{ ...boot, ipVersion: 6 }])).toEqual([boot, { ...boot, ipVersion: 6 }]);
  });

  it('refuses what would break or inject into dnsmasq files, and an option named twice', () => {
    for (const bad of [
      { ...boot, optValue: 'a\ndhcp-range=0.0.0.0' },
      { ...boot, optName: 'x,y' },
      { ...boot, optName: ' ' },
      { ...boot, optValue: '' },
      { ...boot, optValue: 'x'.repeat(256) },
    ]) {
      expect(mergeExtraDhcpOpts([], [bad])).toMatchObject({ status: 400, type: 'HTTPBadRequest' });
    }
    expect(mergeExtraDhcpOpts([], [boot, { ...boot, optValue: 'other' }])).toMatchObject({ status: 400, type: 'BadRequest' });
  });

  it('a port is created with its options (valueless ones dropped) and updated by merging', () => {
    given([])
      .when({
        type: 'CreatePort',
        data: { ...created, macGenerated: false, fixedIps: [], extraDhcpOpts: [boot, { ...tftp, optValue: null }] },
        facts: { network: { id: 'n1' } as never, subnets: [], usedIps: {}, macInUse: false, missingSecurityGroups: [] },
      })
      .thenEvents([{ type: 'PortCreated', data: { ...created, fixedIps: [], extraDhcpOpts: [boot] } }]);
    given([withOpts])
      .when({ type: 'UpdatePort', data: { id: 'port1', changes: { extraDhcpOpts: [{ ...tftp, optValue: null }] } }, facts: {} })
      .thenEvents([{ type: 'PortUpdated', data: { ...ref, changes: { extraDhcpOpts: [boot] } } }]);
    // Asking for what is there already records nothing.
    given([withOpts])
      .when({ type: 'UpdatePort', data: { id: 'port1', changes: { extraDhcpOpts: [boot] } }, facts: {} })
      .thenEvents([]);
  });
});
