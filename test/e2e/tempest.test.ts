import { execFile } from 'node:child_process';
import { join } from 'node:path';

/**
 * A representative part of the Tempest conformance run (scripts/tempest/run.sh, README
 * "Conformance: Tempest"): networks, subnets, ports, security groups and routers from Tempest, and
 * revisions, quotas, L3 agent scheduling and tags from neutron-tempest-plugin, through a real Keystone, as Tempest tests a
 * Neutron. The whole selection runs with `npm run conformance`.
 */
const REPRESENTATIVE =
  '^(tempest\\.api\\.network\\.(test_networks\\.NetworksTest|test_ports\\.PortsTestJSON|test_security_groups\\.SecGroupTest|test_routers\\.RoutersTest)' +
  '|neutron_tempest_plugin\\.api\\.(test_revisions|admin\\.test_quotas|admin\\.test_l3_agent_scheduler|admin\\.test_tag\\.TagNetworkTestJSON))\\.';

it('passes Tempest’s tests for networks, ports, security groups, routers, revisions, quotas, L3 agent scheduling and tags', async () => {
  const script = join(__dirname, '..', '..', 'scripts', 'tempest', 'run.sh');
  const { code, out } = await new Promise<{ code: number; out: string }>((resolve) =>
    execFile('bash', [script, '--regex', REPRESENTATIVE], { timeout: 600_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
  const totals = /Ran: (\d+) tests[\s\S]*?Passed: (\d+)[\s\S]*?Failed: (\d+)/.exec(out);
  const failed = out.split('\n').filter((l) => l.includes('... FAILED'));
  expect({ code, failed }).toEqual({ code: 0, failed: [] });
  expect(Number(totals?.[1])).toBeGreaterThanOrEqual(60);
  expect(totals?.[3]).toBe('0');
}, 600_000);
