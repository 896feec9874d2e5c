#!/usr/bin/env node
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { repoRoot } from '@cp/runtime';
import { Lab } from './lab';
import { LabApi } from './lab-api';
import { LabScenario } from './lab-scenario';

/**
 * npm run lab [-- --prefix lab --server URL]
 * Builds the data-plane lab (lab-scenario.ts) for a person to explore, prints
 * what to try, and removes every namespace and process it made on Ctrl-C.
 */
async function main(argv: string[]): Promise<void> {
  const o = new Command()
    .name('lab')
    .description('Three hypervisors in network namespaces with kernel-programming L2 agents, two networks, four VMs (needs root)')
    .option('--prefix <prefix>', 'namespace name prefix (letters and digits)', 'lab')
    .option('--server <url>', 'use this control plane (noauth) instead of starting an embedded one')
    .parse(argv)
    .opts<{ prefix: string; server?: string }>();
  const refused = await Lab.refused();
  if (refused) throw new Error(`cannot build the lab: ${refused}`);

  const dir = mkdtempSync(join(tmpdir(), 'cp-lab-'));
  const server = o.server ? { url: o.server, child: null } : await startControlPlane(join(dir, 'data'));
  const lab = await Lab.up({ prefix: o.prefix, hosts: 3, server: server.url, stateDir: dir });
  const teardown = async () => {
    await lab.down();
    server.child?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const i of [1, 2, 3]) await lab.startAgent(i);
    await new LabScenario(lab, new LabApi(server.url)).build();
  } catch (err) {
    await teardown();
    throw err;
  }
  const p = o.prefix;
  process.stdout.write(
    [
      `lab up: control plane ${server.url}, hosts ${p}-h1..h3 (198.18.0.11-13), VMs ${p}-vm1..vm4`,
      '',
      `  ip netns exec ${p}-vm1 ping 10.0.0.13            # network a, host 1 -> host 3: answers`,
      `  ip netns exec ${p}-vm4 ping 10.0.0.12            # network b -> a, same addresses: no answer`,
      `  ip netns exec ${p}-vm1 timeout 1 bash -c 'cat </dev/tcp/10.0.0.13/22'   # vm3's tcp/22 answers group jumphost (vm1)`,
      `  ip netns exec ${p}-vm2 timeout 1 bash -c 'cat </dev/tcp/10.0.0.13/22'   # and no one else (vm2): times out`,
      `  bash scripts/lab/netns.sh list ${p}             # devices and FDB entries of every host`,
      `  ip netns exec ${p}-h1 ipset list; ip netns exec ${p}-h3 iptables -S`,
      `  curl -s ${server.url}/v1/hosts/${p}-h1/l2         # what host 1's agent programs`,
      '',
      'Ctrl-C removes the namespaces, agents and control plane.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  await teardown();
}

/** An embedded control plane of the lab's own, on an ephemeral loopback port. */
async function startControlPlane(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(repoRoot(), 'dist/apps/api/src/main.js')], {
    env: { ...process.env, CP_PORT: '0', CP_HOST: '127.0.0.1', CP_DATA_DIR: dataDir, CP_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`control plane exited with ${code}: ${out}`)));
  });
  return { url, child };
}

main(process.argv).catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
