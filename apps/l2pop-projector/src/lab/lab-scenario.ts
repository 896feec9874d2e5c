import type { Lab, LabPort } from './lab';
import type { LabApi } from './lab-api';

export interface LabNet {
  network: string;
  subnet: string;
  vni: number;
}

/**
 * What the lab shows (and the end-to-end test checks), on three hosts:
 *   networks a and b, both 10.0.0.0/24: only their VXLAN segments keep them apart;
 *   vm1 (host 1, a, 10.0.0.11) is in group jumphost;
 *   vm2 (host 2, a, 10.0.0.12) is not;
 *   vm3 (host 3, a, 10.0.0.13) is in group ssh: tcp/22 from jumphost only;
 *   vm4 (host 2, b, 10.0.0.14), same host as vm2, another network;
 *   every VM is in group pingable (ICMP from anywhere).
 */
export const LAB_VMS: ReadonlyArray<{ name: string; net: 'a' | 'b'; host: number; ip: string; groups: string[] }> = [
  { name: 'vm1', net: 'a', host: 1, ip: '10.0.0.11', groups: ['pingable', 'jumphost'] },
  { name: 'vm2', net: 'a', host: 2, ip: '10.0.0.12', groups: ['pingable'] },
  { name: 'vm3', net: 'a', host: 3, ip: '10.0.0.13', groups: ['pingable', 'ssh'] },
  { name: 'vm4', net: 'b', host: 2, ip: '10.0.0.14', groups: ['pingable'] },
];

export class LabScenario {
  readonly nets: Record<string, LabNet> = {};
  readonly groups: Record<string, string> = {};
  readonly ports: Record<string, { id: string; mac_address: string }> = {};

  constructor(
    private readonly lab: Lab,
    private readonly neutron: LabApi,
  ) {}

  /** Builds the networks, groups and VMs above, and waits until every port is ACTIVE. */
  async build(): Promise<void> {
    for (const net of ['a', 'b']) this.nets[net] = await this.neutron.network(`lab-${net}`, '10.0.0.0/24');
    for (const name of ['jumphost', 'pingable', 'ssh']) this.groups[name] = await this.neutron.group(name);
    await this.neutron.rule(this.groups.pingable, { protocol: 'icmp', remote_ip_prefix: '0.0.0.0/0' });
    await this.neutron.rule(this.groups.ssh, {
      protocol: 'tcp',
      port_range_min: 22,
      port_range_max: 22,
      remote_group_id: this.groups.jumphost,
    });
    for (const vm of LAB_VMS) await this.lab.vm(vm.name, vm.host, await this.port(vm.name, vm.net, vm.host, vm.ip, vm.groups));
    await this.untilActive(LAB_VMS.map((vm) => vm.name));
    await this.lab.serveTcp('vm3', 22);
  }

  /** A VM port on network `net`, bound to lab host `host`, in the named groups. */
  async port(name: string, net: string, host: number, ip: string, groups: string[]): Promise<LabPort> {
    const port = await this.neutron.port(
      name,
      this.nets[net],
      this.lab.hostName(host),
      ip,
      groups.map((g) => this.groups[g]),
    );
    this.ports[name] = port;
    return { id: port.id, mac: port.mac_address, cidr: `${ip}/24` };
  }

  async untilActive(names: string[], timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const statuses = await Promise.all(names.map((n) => this.neutron.portStatus(this.ports[n].id)));
      if (statuses.every((s) => s === 'ACTIVE')) return;
      if (Date.now() > deadline) throw new Error(`ports not ACTIVE after ${timeoutMs} ms: ${names.join(', ')} are ${statuses.join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
