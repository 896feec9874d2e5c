import { readFileSync } from 'node:fs';
import { EventSource } from 'eventsource';

export interface FeedClientOptions<Snapshot, Changes> {
  /** The control plane's API (or a projector instance). */
  server: string;
  host: string;
  /** The feed's path and SSE event name under `/v1/hosts/{host}/`: `l3`, `dhcp`. */
  model: string;
  /** A Keystone token for every call, re-read on each call (whoever renews it rewrites the file). */
  tokenFile?: string;
  /** Folds a change document into the copy held (a snapshot or resync replaces it); throws when a delta does not apply. */
  apply(local: Snapshot | null, doc: Changes | Snapshot): Snapshot;
  /** The copy changed (after the first snapshot and after every change document). */
  onChange(view: Snapshot, doc: Changes | Snapshot): void;
  log?: (text: string) => void;
}

/**
 * An agent's side of a host feed: the snapshot, then the watch stream resumed
 * from the revision held; a delta that does not apply starts over from a
 * snapshot. The reference agents follow their documents with it.
 */
export class FeedClient<Snapshot extends { revision: string }, Changes> {
  view: Snapshot | null = null;
  private es: EventSource | null = null;

  constructor(private readonly options: FeedClientOptions<Snapshot, Changes>) {}

  get base(): string {
    return this.options.server.replace(/\/+$/, '');
  }

  headers(): Record<string, string> {
    const token = this.options.tokenFile ? readFileSync(this.options.tokenFile, 'utf8').trim() : '';
    return { 'content-type': 'application/json', ...(token ? { 'x-auth-token': token } : {}) };
  }

  /** `/v1/hosts/{host}<path>` on the server. */
  url(path: string): string {
    return `${this.base}/v1/hosts/${encodeURIComponent(this.options.host)}${path}`;
  }

  /** Registers (or heartbeats) the agent: `PUT /v1/agents/{type}/{host}`. */
  async report(agentType: string, body: object): Promise<void> {
    const res = await fetch(`${this.base}/v1/agents/${encodeURIComponent(agentType)}/${encodeURIComponent(this.options.host)}`, {
      method: 'PUT',
      headers: this.headers(),
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`register: ${res.status} ${await res.text()}`);
  }

  /** Reads the snapshot, then follows the watch stream. */
  async start(): Promise<void> {
    const res = await fetch(this.url(`/${this.options.model}`), { headers: this.headers() });
    if (!res.ok) throw new Error(`GET /${this.options.model}: ${res.status}`);
    this.accept((await res.json()) as Snapshot);
    this.watch();
  }

  stop(): void {
    this.es?.close();
    this.es = null;
  }

  private watch(): void {
    const since = this.view ? `?since=${encodeURIComponent(this.view.revision)}` : '';
    const es = new EventSource(this.url(`/${this.options.model}/watch${since}`), {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...this.headers() } }),
    });
    this.es = es;
    es.addEventListener(this.options.model, (msg: Event) => {
      try {
        this.accept(JSON.parse((msg as Event & { data: string }).data) as Changes);
      } catch (err) {
        this.say(`${(err as Error).message}; resyncing`);
        this.view = null;
        es.close();
        this.watch();
      }
    });
  }

  private accept(doc: Changes | Snapshot): void {
    this.view = this.options.apply(this.view, doc);
    this.options.onChange(this.view, doc);
  }

  private say(text: string): void {
    (this.options.log ?? ((t: string) => process.stderr.write(`${t}\n`)))(text);
  }
}
