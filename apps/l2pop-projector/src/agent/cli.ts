#!/usr/bin/env node
import { Command, Option } from 'commander';
import { ReferenceAgent } from './agent';
import { KernelAgent } from './kernel/kernel-agent';
import { render } from './render';

/**
 * npm run agent -- --host compute-1 --tunnel-ip 10.0.0.11 [--server http://127.0.0.1:9696]
 *   [--state-file ./compute-1.json] [--heartbeat 30] [--once] [--json]
 *   [--program-kernel [--netns NS]] [--delta entries|lists]
 */
async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('l2-agent')
    .description('Reference L2 agent: registers its host, keeps a local copy of its L2 read model and prints it')
    .requiredOption('--host <host>', "this hypervisor's host name (binding:host_id)")
    .requiredOption('--tunnel-ip <ip>', 'local tunnel endpoint registered for the host')
    .option('--server <url>', 'control plane API', 'http://127.0.0.1:9696')
    .option('--state-file <path>', 'where the local copy is kept; a restart resumes from its revision')
    .option('--availability-zone <az>', 'availability zone to register', 'nova')
    .option('--heartbeat <seconds>', 'heartbeat interval', (v) => Number(v), 30)
    .option('--once', 'register, sync once, print and exit')
    .option('--json', 'print the local copy as JSON instead of text')
    .option('--program-kernel', 'program VXLAN devices, bridges, FDB/ARP entries, ipsets and iptables (needs root), report ports up')
    .option('--netns <name>', 'with --program-kernel: program this network namespace instead of the current one')
    .addOption(
      new Option('--delta <format>', 'deltas entry by entry, or as whole lists per changed remote and set (the first format)')
        .choices(['entries', 'lists'])
        .default('entries'),
    )
    .addOption(
      new Option('--firewall <kind>', 'with --program-kernel: security groups through ipset + iptables or nftables')
        .choices(['auto', 'iptables', 'nftables'])
        .default('auto'),
    )
    .parse(argv);
  const o = program.opts<{
    host: string;
    tunnelIp: string;
    server: string;
    stateFile?: string;
    availabilityZone: string;
    heartbeat: number;
    once?: boolean;
    json?: boolean;
    programKernel?: boolean;
    netns?: string;
    firewall: 'auto' | 'iptables' | 'nftables';
    delta: 'entries' | 'lists';
  }>();
  if (o.netns && !o.programKernel) throw new Error('--netns needs --program-kernel');
  const common = {
    server: o.server,
    host: o.host,
    tunnelIp: o.tunnelIp,
    stateFile: o.stateFile,
    availabilityZone: o.availabilityZone,
    heartbeatSeconds: o.heartbeat,
    delta: o.delta,
  };
  if (o.programKernel) {
    if (o.once) throw new Error('--once and --program-kernel do not go together');
    const agent = new KernelAgent({ ...common, netns: o.netns, firewall: o.firewall });
    agent.onApplied((a) => {
      const { links, fdb, neigh, members, firewall } = a.counts;
      if (links + fdb + neigh + members === 0 && !firewall && a.reportedUp.length + a.reportedDown.length === 0) return;
      const reports = [...a.reportedUp.map((p) => `up ${p}`), ...a.reportedDown.map((p) => `down ${p}`)].join(', ');
      process.stdout.write(
        `revision ${a.revision} programmed in ${a.ms} ms: ${links} link, ${fdb} fdb, ${neigh} neigh, ${members} set member changes` +
          `${firewall ? ', firewall rewritten' : ''}${reports ? `; reported ${reports}` : ''}\n`,
      );
    });
    await agent.start();
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void agent.stop().then(() => process.exit(0)));
    return;
  }
  const agent = new ReferenceAgent({ ...common, json: o.json });
  if (o.once) {
    await agent.register().catch((err: Error) => process.stderr.write(`registration failed: ${err.message}\n`));
    await agent.sync();
    process.stdout.write(`${o.json ? JSON.stringify(agent.view) : render(agent.view!)}\n`);
    return;
  }
  await agent.start();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void agent.stop().then(() => process.exit(0)));
  }
}

main(process.argv).catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
