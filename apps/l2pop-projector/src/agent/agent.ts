import { EventSource } from 'eventsource';
import type { L2Changes, L2DeltaFormat, L2Snapshot } from '../contract/l2-documents';
import { applyDelta, DeltaMismatchError } from './apply-delta';
import { render } from './render';
import { loadState, saveState } from './state-file';

export interface AgentOptions {
  server: string;
  host: string;
  tunnelIp: string;
  stateFile?: string;
  agentType?: string;
  availabilityZone?: string;
  heartbeatSeconds?: number;
  /** Where the rendered view goes on every change (stdout in the CLI). */
  log?: (text: string) => void;
  json?: boolean;
  /** Print the whole view on every change (the CLI without a data plane); default true. */
  printViews?: boolean;
  /** How deltas are asked for: entry by entry (the default), or the first format's whole lists. */
  delta?: L2DeltaFormat;
}

/**
 * A reference L2 agent: registers its host, keeps a local copy of the host's
 * read model by applying change documents, persists it after every change and
 * prints what it would program. A restart resumes from the saved revision.
 */
export class ReferenceAgent {
  view: L2Snapshot | null = null;
  /** How the copy was built: full documents vs deltas (a resumed agent should need no full one). */
  readonly stats = { snapshots: 0, deltas: 0 };
  private es: EventSource | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly listeners = new Set<(view: L2Snapshot) => void>();

  constructor(private readonly options: AgentOptions) {
    this.view = loadState(options.stateFile, options.host)?.view ?? null;
  }

  private get base(): string {
    return this.options.server.replace(/\/+$/, '');
  }

  /** `PUT /v1/agents/{type}/{host}`: registration and heartbeat are the same call. */
  async register(): Promise<void> {
    const type = encodeURIComponent(this.options.agentType ?? 'Open vSwitch agent');
    const res = await fetch(`${this.base}/v1/agents/${type}/${encodeURIComponent(this.options.host)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        tunnel_ip: this.options.tunnelIp,
        availability_zone: this.options.availabilityZone ?? 'nova',
        configurations: { tunneling_ip: this.options.tunnelIp, tunnel_types: ['vxlan'], l2_population: true },
      }),
    });
    if (!res.ok) throw new Error(`register: ${res.status} ${await res.text()}`);
  }

  /** One round trip: the changes since the local revision (or a snapshot), applied and saved. */
  async sync(): Promise<L2Snapshot> {
    const url = `${this.base}/v1/hosts/${encodeURIComponent(this.options.host)}/l2`;
    const since = this.sinceQuery();
    const res = await fetch(url + since);
    if (!res.ok) throw new Error(`GET ${url}${since}: ${res.status}`);
    this.accept((await res.json()) as L2Changes | L2Snapshot);
    return this.view!;
  }

  async start(): Promise<void> {
    await this.register().catch((err: Error) => this.say(`registration failed: ${err.message}`));
    const every = (this.options.heartbeatSeconds ?? 30) * 1000;
    // Fire and forget: a failed heartbeat is reported, and the next one tries again.
    this.heartbeat = setInterval(() => void this.register().catch((err: Error) => this.say(`heartbeat failed: ${err.message}`)), every);
    await this.sync();
    this.print();
    this.watch();
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.es?.close();
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.retry) clearTimeout(this.retry);
    return Promise.resolve();
  }

  onChange(listener: (view: L2Snapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** `?since=<revision>&delta=<format>` when the agent holds a copy; reconnects send Last-Event-ID with the same query. */
  private sinceQuery(): string {
    const since = this.view ? `since=${encodeURIComponent(this.view.revision)}&` : '';
    return `?${since}delta=${this.options.delta ?? 'entries'}`;
  }

  private watch(): void {
    if (this.stopped) return;
    const since = this.sinceQuery();
    const es = new EventSource(`${this.base}/v1/hosts/${encodeURIComponent(this.options.host)}/l2/watch${since}`);
    this.es = es;
    es.onmessage = (msg: { data: string }) => {
      try {
        this.accept(JSON.parse(msg.data) as L2Changes);
        this.print();
      } catch (err) {
        // A gap (should not happen: the stream resumes by revision): start over from a snapshot.
        this.say(`${(err as Error).message}; resyncing`);
        if (err instanceof DeltaMismatchError) this.view = null;
        this.restartWatch(0);
      }
    };
    // EventSource retries by itself (with Last-Event-ID) while it can; once it gives up, start anew.
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) this.restartWatch(1000);
    };
  }

  private restartWatch(delayMs: number): void {
    this.es?.close();
    if (this.retry) clearTimeout(this.retry);
    this.retry = setTimeout(() => this.watch(), delayMs);
  }

  private accept(doc: L2Changes | L2Snapshot): void {
    const full = !('resync' in doc) || doc.resync;
    this.view = applyDelta(this.view, doc);
    if (full) this.stats.snapshots += 1;
    else this.stats.deltas += 1;
    saveState(this.options.stateFile, { server: this.base, host: this.options.host, view: this.view });
    for (const l of this.listeners) l(this.view);
  }

  private print(): void {
    if (!this.view || this.options.printViews === false) return;
    this.say(this.options.json ? JSON.stringify(this.view) : render(this.view));
  }

  private say(text: string): void {
    (this.options.log ?? ((t: string) => process.stdout.write(`${t}\n`)))(text);
  }
}
