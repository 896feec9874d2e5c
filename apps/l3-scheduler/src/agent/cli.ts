#!/usr/bin/env node
import { Command } from 'commander';
import { ReferenceL3Agent } from './l3-agent';

/** npm run l3-agent -- --host net-1 [--server http://127.0.0.1:9696] [--token-file FILE] */
async function main(argv: string[]): Promise<void> {
  const o = new Command()
    .name('l3-agent')
    .description("Reference L3 agent without a data plane: registers, follows its L3 document and reports its routers' ports up")
    .requiredOption('--host <host>', "this node's host name")
    .option('--server <url>', 'control plane API', 'http://127.0.0.1:9696')
    .option('--agent-mode <mode>', 'agent_mode to register', 'legacy')
    .option('--heartbeat <seconds>', 'heartbeat interval', (v) => Number(v), 30)
    .option('--token-file <path>', 'a Keystone token, re-read on every call')
    .parse(argv)
    .opts<{ host: string; server: string; agentMode: string; heartbeat: number; tokenFile?: string }>();
  const agent = new ReferenceL3Agent({
    server: o.server,
    host: o.host,
    agentMode: o.agentMode,
    heartbeatSeconds: o.heartbeat,
    tokenFile: o.tokenFile,
  });
  await agent.start();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void agent.stop().then(() => process.exit(0)));
}

main(process.argv).catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
