#!/usr/bin/env node
import { Command } from 'commander';
import { ReferenceDhcpAgent } from './dhcp-agent';

/** npm run dhcp-agent -- --host net-1 --state-dir ./dhcp [--server http://127.0.0.1:9696] [--token-file FILE] */
async function main(argv: string[]): Promise<void> {
  const o = new Command()
    .name('dhcp-agent')
    .description("Reference DHCP agent: registers, follows its host's DHCP document and writes each network's dnsmasq files")
    .requiredOption('--host <host>', "this node's host name")
    .requiredOption('--state-dir <dir>', 'one directory per served network goes here')
    .option('--server <url>', 'control plane API', 'http://127.0.0.1:9696')
    .option('--heartbeat <seconds>', 'heartbeat interval', (v) => Number(v), 30)
    .option('--token-file <path>', 'a Keystone token, re-read on every call')
    .parse(argv)
    .opts<{ host: string; stateDir: string; server: string; heartbeat: number; tokenFile?: string }>();
  const agent = new ReferenceDhcpAgent({
    server: o.server,
    host: o.host,
    stateDir: o.stateDir,
    heartbeatSeconds: o.heartbeat,
    tokenFile: o.tokenFile,
  });
  await agent.start();
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      agent.stop();
      process.exit(0);
    });
}

main(process.argv).catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
