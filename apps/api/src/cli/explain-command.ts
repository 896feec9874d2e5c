import { Command, Option } from 'commander';
import { openExplainers, parseExplainQuery, UsageError, type Explanation } from '../embedded/embedded-models';

interface ExplainFlags {
  dataDir: string;
  host: string;
  network?: string;
  tunnelIp?: string;
  mac?: string;
  ipset?: string;
  member?: string;
  router?: string;
  json?: boolean;
}

/**
 * `controlplane explain`: why an entry is (or is not) in a host's L2 document,
 * as a short story, from a data directory (GET /v1/hosts/{host}/l2/explain
 * answers the same over HTTP).
 */
export function addExplainCommand(program: Command, say: (line: string) => void): void {
  program
    .command('explain')
    .description("why an FDB pair, a flood entry, an ipset member (L2) or a router (L3) is (or is not) in a host's document (read-only)")
    .addOption(new Option('--data-dir <dir>', 'data directory').env('CP_DATA_DIR').default('./data'))
    .requiredOption('--host <host>', 'the host whose document it is')
    .option('--network <id>', 'the network of an FDB pair or flood entry')
    .option('--tunnel-ip <ip>', 'the remote tunnel IP it points at')
    .option('--mac <mac>', "the FDB pair's MAC (without: the flood entry)")
    .option('--ipset <name>', 'an ipset of the host')
    .option('--member <ip>', 'a member (IP or CIDR) of that set')
    .option('--router <id>', "a router of the host's L3 document")
    .option('--json', 'the explanation as JSON')
    .action(async (o: ExplainFlags) => {
      const raw = Object.fromEntries(
        Object.entries({ network: o.network, tunnel_ip: o.tunnelIp, mac: o.mac, ipset: o.ipset, member: o.member }).filter(
          ([, v]) => v !== undefined,
        ),
      );
      const q = o.router !== undefined && Object.keys(raw).length === 0 ? { router: o.router } : parseExplainQuery(raw);
      if (typeof q === 'string' || (o.router !== undefined && !('router' in q))) {
        throw new UsageError('explain one entry: --network ID --tunnel-ip IP [--mac MAC], --ipset NAME --member IP, or --router ID');
      }
      const opened = await openExplainers(o.dataDir);
      try {
        const x =
          'router' in q
            ? await opened.l3.router(o.host, q.router)
            : 'ipset' in q
              ? await opened.l2.ipsetMember(o.host, q.ipset, q.member)
              : await opened.l2.fdb(o.host, q.network, q.tunnel_ip, q.mac);
        for (const line of o.json ? [JSON.stringify(x)] : story(x)) say(line);
      } finally {
        await opened.close();
      }
    });
}

/** The explanation as an operator reads it: the verdict, then the events in log order. */
export function story(x: Explanation): string[] {
  const e = x.entry;
  const what = e.router
    ? `router ${e.router}`
    : e.ipset
      ? `member ${e.member} of ipset ${e.ipset}`
      : e.mac
        ? `FDB entry ${e.mac} via ${e.tunnel_ip} on network ${e.network}`
        : `flood entry ${e.tunnel_ip} on network ${e.network}`;
  const verdict = x.present ? `host ${x.host} has ${what}, because:` : `host ${x.host} does not have ${what}: ${x.absent_because}.`;
  const lines = [verdict];
  if (!x.present && x.because.length > 0) lines.push('What the log says about it:');
  for (const c of x.because) lines.push(`  #${c.position} ${c.occurred_at} ${c.type}: ${c.why} (by ${c.actor}, request ${c.request_id})`);
  return lines;
}
