import type { AddressPair, DomainEvent, ExtraDhcpOpt, FixedIp } from '@cp/events';
import { stamp, type ResourceMapper, type ResourceOps } from './resource-mapper';
import type { Body } from './resource-store';

export const PORT = 'port';

/** Attributes of Neutron's port resource (also what list filters accept). */
export const PORT_ATTRIBUTES = [
  'id',
  'name',
  'network_id',
  'tenant_id',
  'project_id',
  'mac_address',
  'admin_state_up',
  'status',
  'device_id',
  'device_owner',
  'fixed_ips',
  'security_groups',
  'port_security_enabled',
  'allowed_address_pairs',
  'binding:host_id',
  'binding:vif_type',
  'binding:vnic_type',
  'binding:profile',
  'binding:vif_details',
  'extra_dhcp_opts',
  'description',
  'tags',
  'created_at',
  'updated_at',
  'revision_number',
] as const;

/** Neutron's get_port:binding:* policies: only admins read these. */
export const ADMIN_ONLY_PORT_ATTRIBUTES = ['binding:host_id', 'binding:vif_type', 'binding:vif_details', 'binding:profile'] as const;

export function forCaller(body: Body, isAdmin: boolean): Body {
  if (isAdmin) return body;
  const out = { ...body };
  for (const k of ADMIN_ONLY_PORT_ATTRIBUTES) delete out[k];
  return out;
}

/** `fixed_ips=ip_address=10.0.0.5` / `fixed_ips=subnet_id=...`, Neutron's fixed_ips list filter. */
export function fixedIpsFilter(body: Body, wanted: string): boolean {
  const eq = wanted.indexOf('=');
  const key = eq < 0 ? '' : wanted.slice(0, eq);
  const value = wanted.slice(eq + 1);
  const ips = body.fixed_ips as Array<{ subnet_id: string; ip_address: string }>;
  if (key === 'ip_address') return ips.some((f) => f.ip_address === value);
  if (key === 'subnet_id') return ips.some((f) => f.subnet_id === value);
  if (key === 'ip_address_substr') return ips.some((f) => f.ip_address.includes(value));
  return false;
}

const fixedIps = (ips: readonly FixedIp[]) => ips.map((f) => ({ subnet_id: f.subnetId, ip_address: f.ipAddress }));
const pairs = (ps: readonly AddressPair[]) => ps.map((p) => ({ ip_address: p.ipAddress, mac_address: p.macAddress }));
const dhcpOpts = (os: readonly ExtraDhcpOpt[] = []) =>
  os.map((o) => ({ opt_name: o.optName, opt_value: o.optValue, ip_version: o.ipVersion }));
/**
 * What Neutron's Open vSwitch mechanism driver sets in `binding:vif_details` of a bound port, and Nova
 * (os-vif) reads to plug the VM: the agent filters with iptables (ipsets) on a hybrid plug (a veth into
 * a Linux bridge per port), on the integration bridge of the kernel datapath.
 */
const OVS_VIF_DETAILS = {
  port_filter: true,
  ovs_hybrid_plug: true,
  datapath_type: 'system',
  bridge_name: 'br-int',
  connectivity: 'l2',
  bound_drivers: { '0': 'openvswitch' },
};

const binding = (host: string) => ({
  'binding:host_id': host,
  'binding:vif_type': host === '' ? 'unbound' : 'ovs',
  'binding:vif_details': host === '' ? {} : OVS_VIF_DETAILS,
});

/** The row's parent is the network: the network decider counts ports by it (NetworkInUse). */
async function patch(ops: ResourceOps, event: DomainEvent & { data: { id: string; networkId: string } }, edit: (b: Body) => Body) {
  const body = await ops.get(PORT, event.data.id);
  if (!body) return;
  await ops.put(PORT, event.data.id, String(body.project_id), event.data.networkId, stamp(edit(body), event, false));
}

export const portMapper: ResourceMapper = {
  handles: ['PortCreated', 'PortUpdated', 'PortBoundToHost', 'PortUnbound', 'PortActivated', 'PortDeactivated', 'PortDeleted'],
  async apply(event: DomainEvent, ops) {
    switch (event.type) {
      case 'PortCreated': {
        const d = event.data;
        const body = {
          id: d.id,
          name: d.name,
          network_id: d.networkId,
          tenant_id: d.projectId,
          project_id: d.projectId,
          mac_address: d.macAddress,
          admin_state_up: d.adminStateUp,
          status: 'DOWN',
          device_id: d.deviceId,
          device_owner: d.deviceOwner,
          fixed_ips: fixedIps(d.fixedIps),
          security_groups: d.securityGroups,
          port_security_enabled: d.portSecurityEnabled,
          allowed_address_pairs: pairs(d.allowedAddressPairs),
          // PortBoundToHost follows when hostId is set; it fills the binding.
          ...binding(''),
          'binding:vnic_type': d.vnicType,
          'binding:profile': {},
          extra_dhcp_opts: dhcpOpts(d.extraDhcpOpts),
          description: d.description,
          tags: [],
        };
        return ops.put(PORT, d.id, d.projectId, d.networkId, stamp(body, event, true));
      }
      case 'PortUpdated':
        return patch(ops, event, (b) => {
          const c = event.data.changes;
          const next = { ...b };
          if (c.name !== undefined) next.name = c.name;
          if (c.description !== undefined) next.description = c.description;
          if (c.adminStateUp !== undefined) next.admin_state_up = c.adminStateUp;
          if (c.deviceId !== undefined) next.device_id = c.deviceId;
          if (c.deviceOwner !== undefined) next.device_owner = c.deviceOwner;
          if (c.fixedIps !== undefined) next.fixed_ips = fixedIps(c.fixedIps);
          if (c.securityGroups !== undefined) next.security_groups = c.securityGroups;
          if (c.portSecurityEnabled !== undefined) next.port_security_enabled = c.portSecurityEnabled;
          if (c.allowedAddressPairs !== undefined) next.allowed_address_pairs = pairs(c.allowedAddressPairs);
          if (c.extraDhcpOpts !== undefined) next.extra_dhcp_opts = dhcpOpts(c.extraDhcpOpts);
          if (c.macAddress !== undefined) next.mac_address = c.macAddress;
          return next;
        });
      // A (re)bound port is DOWN until its new host's agent reports it up.
      case 'PortBoundToHost':
        return patch(ops, event, (b) => ({ ...b, ...binding(event.data.host), status: 'DOWN' }));
      case 'PortUnbound':
        return patch(ops, event, (b) => ({ ...b, ...binding(''), status: 'DOWN' }));
      case 'PortActivated':
        return patch(ops, event, (b) => ({ ...b, status: 'ACTIVE' }));
      case 'PortDeactivated':
        return patch(ops, event, (b) => ({ ...b, status: 'DOWN' }));
      case 'PortDeleted':
        return ops.remove(PORT, event.data.id);
      default:
        return;
    }
  },
};
