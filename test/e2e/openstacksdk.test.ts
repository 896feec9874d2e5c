import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { removeDir, spawnControlPlane, type ControlPlaneProcess, type Json } from '../support/control-plane';

/**
 * openstacksdk's network proxy as a real client of our API, the way Nova and Terraform-style
 * tools use it (resource classes, `conn.network.*`): paging through 1,000 ports, quotas,
 * conditional updates, and every resource kind created, changed and deleted. No Keystone, as in
 * the openstack CLI test: the script sends what keystonemiddleware would have left in the headers.
 * The script (test/e2e/sdk/sdk_scenario.py) prints what it saw as JSON; the checks are here.
 */
const SCRIPT = join(__dirname, 'sdk', 'sdk_scenario.py');
/** Debian's interpreter: python3-openstacksdk is in its dist-packages, not in a pyenv python3 on PATH. */
const PYTHON = '/usr/bin/python3';

let cp: ControlPlaneProcess;

beforeAll(async () => {
  cp = await spawnControlPlane();
});
afterAll(async () => {
  await cp.kill();
  removeDir(cp.dataDir);
});

/** Runs one section of the script; a traceback fails the test with the client's stderr. */
function scenario(section: 'pagination' | 'resources'): Promise<Json> {
  // The OS_* variables of a developer's shell would choose another cloud.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OS_')));
  return new Promise((resolve, reject) =>
    execFile(
      PYTHON,
      [SCRIPT, cp.url, section],
      { timeout: 60_000, maxBuffer: 16 * 1024 * 1024, env: { ...env, PYTHONWARNINGS: 'ignore' } },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`sdk_scenario.py ${section} failed (${err.message}):\n${stderr}`));
        try {
          resolve(JSON.parse(stdout) as Json);
        } catch {
          reject(new Error(`sdk_scenario.py ${section} printed no JSON:\n${stdout}\n${stderr}`));
        }
      },
    ),
  );
}

const overQuota = { class: 'ConflictException', status: 409, type: 'OverQuota' };

describe('openstacksdk against the control plane', () => {
  it('pages through 1,000 ports after the project outgrows its port quota', async () => {
    const r = await scenario('pagination');
    // Quota: 500 by default; a bulk create that does not fit is refused whole, the 501st port too.
    expect(r).toMatchObject({ default_port_quota: 500, over_quota_bulk: overQuota, used_after_refused_bulk: 498 });
    expect(r).toMatchObject({ over_quota_single: overQuota, used_at_limit: 500, raised_port_quota: -1, reset_port_quota: 500 });
    expect(r.over_quota_single.message).toContain("Quota exceeded for resources: ['port']");
    // Bulk creates of 250, each port with an address of the subnet.
    expect(r).toMatchObject({ created: 1000, created_with_ip: 1000 });
    // The SDK follows `ports_links` (and asks once more after a full last page).
    expect(r).toMatchObject({ listed: 1000, listed_distinct: 1000, listed_equals_created: true });
    // Ten full pages, each with a `next` link as Neutron gives one, then the empty eleventh.
    expect(r.list_requests).toBe(11);
    // sort_key=name&sort_dir=desc stays in the next links and the order holds across pages.
    expect(r).toMatchObject({ sorted_pages: 11, sorted_count: 1000, sorted_in_order: true, sorted_links_keep_sort: true });
  });

  it('creates, updates and deletes every resource kind through resource classes', async () => {
    const r = await scenario('resources');
    expect(r.default_groups).toEqual(['default']);

    expect(r.network).toMatchObject({ name: 'sdk-net-2', mtu: 1400, revised: true, found_by_name: true, old_name_gone: true });
    // If-Match: revision_number=<stale> (the SDK's if_revision) is refused; the current one goes through.
    expect(r.network.stale_if_revision).toMatchObject({
      class: 'PreconditionFailedException',
      status: 412,
      type: 'RevisionNumberConstraintFailed',
    });
    expect(r.network.current_if_revision).toEqual({ description: 'cas', name: 'sdk-net-2' });

    expect(r.subnet).toEqual({
      id: expect.any(String),
      cidr: '10.40.0.0/24',
      gateway_ip: '10.40.0.1',
      pools: [{ start: '10.40.0.2', end: '10.40.0.254' }],
      updated: { dns: ['192.0.2.54', '192.0.2.55'], pools: [{ start: '10.40.0.100', end: '10.40.0.200' }] },
    });

    expect(r.security_group).toMatchObject({
      name: 'sdk-sg',
      rule: { protocol: 'tcp', min: 22, max: 22, direction: 'ingress' },
      rule_listed: true,
      egress_rules: ['IPv4', 'IPv6'],
      delete_in_use: { class: 'ConflictException', status: 409, type: 'SecurityGroupInUse' },
    });

    expect(r.port.fixed_ips).toEqual([{ subnet_id: r.subnet.id, ip_address: '10.40.0.150' }]);
    expect(r.port.default_groups).toBe(1);
    // Binding is the admin's: a member is refused and does not see binding:* attributes.
    expect(r.port.member_binds).toMatchObject({ status: 403, type: 'PolicyNotAuthorized' });
    expect(r.port.member_sees_binding).toBeNull();
    expect(r.port.updated).toMatchObject({ name: 'sdk-port-2', binding_host_id: 'compute-1', binding_vif_type: 'ovs' });
    expect(r.port.updated.security_group_ids).toEqual([r.security_group.id]);
    expect(Object.keys(r.port.updated.binding_vif_details ?? {})).not.toHaveLength(0);

    expect(r.router).toEqual({
      interface: { subnet_id: r.subnet.id, has_port_id: true },
      interface_ports: [{ owner: 'network:router_interface', ip: '10.40.0.1' }],
      ports_after_remove: 0,
    });

    // Quota details count what the project made: its port and the router's interface.
    expect(r.quota_details_shape).toEqual(['limit', 'reserved', 'used']);
    expect(r.quota_used_delta).toEqual({ networks: 1, subnets: 1, ports: 2, routers: 1, security_groups: 1 });

    expect(r.gone).toEqual({ router: true, port: true, rule: true, security_group: true, subnet: true, network: true });
    expect(r.delete_missing).toMatchObject({ class: 'ResourceNotFound', status: 404, type: 'NetworkNotFound' });
    expect(r.quota_used_after_delete).toEqual({ networks: 0, subnets: 0, ports: 0, routers: 0, security_groups: 0 });
  });
});
