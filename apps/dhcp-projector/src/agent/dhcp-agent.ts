import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeedClient } from '@cp/host-feed';
import { applyDhcpChanges, type DhcpChanges, type DhcpSnapshot } from '../contract/dhcp-documents';
import { dnsmasqFiles } from './dnsmasq-files';

export interface DhcpAgentOptions {
  server: string;
  host: string;
  /** One directory per network served goes here (Neutron: dhcp_confs). */
  stateDir: string;
  heartbeatSeconds?: number;
  /** A Keystone token for every call, re-read on each call (whoever renews it rewrites the file). */
  tokenFile?: string;
  log?: (text: string) => void;
}

const NETWORK_DIR = /^[0-9a-f-]{36}$/;

/**
 * A reference DHCP agent: it registers and heartbeats as a DHCP agent, follows
 * its host's DHCP document (snapshot, then the watch stream) and keeps, per
 * network it serves, the files dnsmasq runs from (`<state-dir>/<network>/
 * dnsmasq.conf`, `hosts`, `opts`). A file is rewritten only when its bytes
 * change, atomically (write, then rename), so a dnsmasq reading it on SIGHUP
 * never sees half a file; a network no longer served (moved, deleted or set
 * admin-down) loses its directory.
 * It does not start dnsmasq itself.
 */
export class ReferenceDhcpAgent {
  private readonly feed: FeedClient<DhcpSnapshot, DhcpChanges>;
  private timer: NodeJS.Timeout | null = null;
  /** Files written since the agent started (rewrites of changed bytes). */
  writes = 0;

  constructor(private readonly options: DhcpAgentOptions) {
    this.feed = new FeedClient({ ...options, model: 'dhcp', apply: applyDhcpChanges, onChange: (view) => this.sync(view) });
  }

  get view(): DhcpSnapshot | null {
    return this.feed.view;
  }

  register(): Promise<void> {
    return this.feed.report('DHCP agent', {
      binary: 'neutron-dhcp-agent',
      topic: 'dhcp_agent',
      configurations: {
        dhcp_driver: 'dnsmasq',
        dhcp_confs: this.options.stateDir,
        networks: Object.keys(this.view?.networks ?? {}).length,
      },
    });
  }

  async start(): Promise<void> {
    mkdirSync(this.options.stateDir, { recursive: true });
    await this.register();
    const beat = () => void this.register().catch((err: Error) => this.say(`heartbeat failed: ${err.message}`));
    this.timer = setInterval(beat, (this.options.heartbeatSeconds ?? 30) * 1000);
    await this.feed.start();
  }

  stop(): void {
    this.feed.stop();
    if (this.timer) clearInterval(this.timer);
  }

  /** Makes the state directory match the document: every served network's files, nothing else. */
  private sync(view: DhcpSnapshot): void {
    const dir = this.options.stateDir;
    // A network set admin-down is not served (Neutron's DHCP agent disables it), though it stays scheduled here.
    const served = Object.entries(view.networks).filter(([, doc]) => doc.admin_state_up !== false);
    for (const [networkId, doc] of served) {
      const netDir = join(dir, networkId);
      mkdirSync(netDir, { recursive: true });
      for (const [name, content] of Object.entries(dnsmasqFiles(networkId, doc, netDir))) this.write(join(netDir, name), content);
    }
    const keep = new Set(served.map(([id]) => id));
    for (const entry of readdirSync(dir)) {
      if (NETWORK_DIR.test(entry) && !keep.has(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
    }
  }

  private write(path: string, content: string): void {
    if (existsSync(path) && readFileSync(path, 'utf8') === content) return;
    writeFileSync(`${path}.tmp`, content);
    renameSync(`${path}.tmp`, path);
    this.writes++;
  }

  private say(text: string): void {
    (this.options.log ?? ((t: string) => process.stderr.write(`${t}\n`)))(text);
  }
}
