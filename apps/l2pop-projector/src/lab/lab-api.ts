/** The Neutron API calls a lab makes to set up its networks, groups and VM ports (noauth: the lab's own control plane). */
export class LabApi {
  constructor(public url: string) {}

  async request<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.url + path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** A tenant network (VXLAN by default) with one IPv4 subnet without a gateway. */
  async network(name: string, cidr: string): Promise<{ network: string; subnet: string; vni: number }> {
    const { network } = await this.request<{ network: { id: string; 'provider:segmentation_id': number } }>('POST', '/v2.0/networks', {
      network: { name },
    });
    const { subnet } = await this.request<{ subnet: { id: string } }>('POST', '/v2.0/subnets', {
      subnet: { network_id: network.id, cidr, ip_version: 4, gateway_ip: null },
    });
    return { network: network.id, subnet: subnet.id, vni: network['provider:segmentation_id'] };
  }

  async group(name: string): Promise<string> {
    return (await this.request<{ security_group: { id: string } }>('POST', '/v2.0/security-groups', { security_group: { name } }))
      .security_group.id;
  }

  /** An IPv4 ingress rule unless `spec` says otherwise. */
  async rule(groupId: string, spec: Record<string, unknown>): Promise<string> {
    const { security_group_rule } = await this.request<{ security_group_rule: { id: string } }>('POST', '/v2.0/security-group-rules', {
      security_group_rule: { security_group_id: groupId, direction: 'ingress', ethertype: 'IPv4', ...spec },
    });
    return security_group_rule.id;
  }

  /** A VM's port with a fixed IP, bound to a host. */
  async port(
    name: string,
    net: { network: string; subnet: string },
    host: string,
    ip: string,
    groupIds: string[],
  ): Promise<{ id: string; mac_address: string; status: string }> {
    const { port } = await this.request<{ port: { id: string; mac_address: string; status: string } }>('POST', '/v2.0/ports', {
      port: {
        name,
        network_id: net.network,
        fixed_ips: [{ subnet_id: net.subnet, ip_address: ip }],
        security_groups: groupIds,
        'binding:host_id': host,
        device_owner: 'compute:nova',
      },
    });
    return port;
  }

  async portStatus(id: string): Promise<string> {
    return (await this.request<{ port: { status: string } }>('GET', `/v2.0/ports/${id}`)).port.status;
  }
}
