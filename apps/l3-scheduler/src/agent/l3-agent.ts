import { FeedClient } from '@cp/host-feed';
import { applyL3Changes, type L3Changes, type L3RouterDoc, type L3Snapshot } from '../contract/l3-documents';

export interface L3AgentOptions {
  server: string;
  host: string;
  /** Registered as `configurations.agent_mode`. */
  agentMode?: string;
  heartbeatSeconds?: number;
  /** A Keystone token for every call, re-read on each call (whoever renews it rewrites the file). */
  tokenFile?: string;
  log?: (text: string) => void;
}

/**
 * A reference L3 agent without a data plane: it registers and heartbeats as an
 * L3 agent, keeps its host's L3 document (snapshot, then the watch stream), and
 * "plugs" the ports of the routers it is responsible for (a legacy router it
 * runs, an HA router whose active instance it is), reporting them up as
 * Neutron's agents do once the router's devices exist. It runs no keepalived,
 * so it reports no HA state: an HA router's ports come up only after some
 * agent reports active. What a client of the agent API has to do, minus the kernel.
 */
export class ReferenceL3Agent {
  private readonly feed: FeedClient<L3Snapshot, L3Changes>;
  /** Ports this agent reported up while they belong here; a port that leaves and comes back is reported again. */
  private readonly plugged = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private plugging: Promise<void> = Promise.resolve();

  constructor(private readonly options: L3AgentOptions) {
    this.feed = new FeedClient({ ...options, model: 'l3', apply: applyL3Changes, onChange: () => this.plug() });
  }

  get view(): L3Snapshot | null {
    return this.feed.view;
  }

  register(): Promise<void> {
    return this.feed.report('L3 agent', { configurations: { agent_mode: this.options.agentMode ?? 'legacy' } });
  }

  async start(): Promise<void> {
    await this.register();
    const beat = () => void this.register().catch((err: Error) => this.say(`heartbeat failed: ${err.message}`));
    // Ports refused for a moment (bound elsewhere until a move commits) are tried again.
    this.timers.push(
      setInterval(beat, (this.options.heartbeatSeconds ?? 30) * 1000),
      setInterval(() => this.plug(), 5000),
    );
    await this.feed.start();
  }

  stop(): Promise<void> {
    this.feed.stop();
    for (const t of this.timers) clearInterval(t);
    return this.plugging;
  }

  /** The ports this host must have up now: every port of the routers it is responsible for. */
  private wanted(): Set<string> {
    const mine = (r: L3RouterDoc) => !r.ha || r.active_host === this.options.host;
    const routers = Object.values(this.view?.routers ?? {}).filter(mine);
    return new Set(routers.flatMap((r) => [...r.interfaces.map((i) => i.port_id), ...(r.gateway ? [r.gateway.port_id] : [])]));
  }

  private plug(): void {
    this.plugging = this.plugging.then(async () => {
      const wanted = this.wanted();
      for (const id of this.plugged) if (!wanted.has(id)) this.plugged.delete(id);
      for (const id of wanted) {
        if (this.plugged.has(id)) continue;
        const res = await fetch(this.feed.url(`/ports/${id}/up`), { method: 'POST', headers: this.feed.headers() }).catch(() => null);
        if (res?.ok) this.plugged.add(id);
        else this.say(`port ${id} not reported up yet (${res ? res.status : 'unreachable'}); will retry`);
      }
    });
  }

  private say(text: string): void {
    (this.options.log ?? ((t: string) => process.stderr.write(`${t}\n`)))(text);
  }
}
