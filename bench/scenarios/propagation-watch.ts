import { Agent } from 'node:http';
import { SseStream, type SseMessage } from '../lib/sse';

interface Expectation {
  networkId: string;
  tunnelIp: string;
  mac: string;
  ip: string;
  resolve: (at: bigint) => void;
}

/** A watch message in either delta format (entries: what agents ask for; lists: the first format), or a snapshot. */
type Doc = {
  resync?: boolean;
  networks?: Record<
    string,
    {
      remotes?: Record<string, Array<[string, string]> | null>;
      fdb?: Record<string, Array<[string, string]>> | { added: Array<[string, string, string]> };
    } | null
  >;
};

function delivers(doc: Doc, e: Omit<Expectation, 'resolve'>): boolean {
  const net = doc.networks?.[e.networkId];
  if (!net) return false;
  const fdb = net.fdb;
  if (fdb && Array.isArray((fdb as { added?: unknown }).added)) {
    return (fdb as { added: Array<[string, string, string]> }).added.some(
      ([t, mac, ip]) => t === e.tunnelIp && mac === e.mac && ip === e.ip,
    );
  }
  const entries = net.remotes?.[e.tunnelIp] ?? (fdb as Record<string, Array<[string, string]>> | undefined)?.[e.tunnelIp];
  return entries?.some(([mac, ip]) => mac === e.mac && ip === e.ip) ?? false;
}

/**
 * Every host's agent watching its L2 view over SSE, as agents do. A test waits
 * for a (network, remote tunnel, [mac, ip]) entry to reach chosen hosts and gets
 * the time each stream delivered it; messages and bytes per host are counted.
 */
export class Watchers {
  private readonly streams = new Map<string, SseStream>();
  private readonly expectations = new Map<string, Expectation[]>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  /** Resolves once every stream has delivered its first document (the snapshot). */
  private readonly ready = new Map<string, () => void>();

  /** `bases`: the servers of the watch streams; with several (projector instances), hosts are spread over them in turn. */
  constructor(
    private readonly bases: string | readonly string[],
    private readonly delta: 'entries' | 'lists' = 'entries',
  ) {}

  async open(hosts: string[]): Promise<void> {
    const first: Promise<void>[] = [];
    const bases = typeof this.bases === 'string' ? [this.bases] : this.bases;
    for (const [k, host] of hosts.entries()) {
      first.push(new Promise((r) => this.ready.set(host, r)));
      const url = `${bases[k % bases.length]}/v1/hosts/${encodeURIComponent(host)}/l2/watch?delta=${this.delta}`;
      const s = new SseStream(url, (m) => this.onMessage(host, m), this.agent);
      this.streams.set(host, s);
    }
    // Open in waves: a thousand simultaneous snapshot queries would measure the connect storm instead.
    const all = [...this.streams.values()];
    for (let i = 0; i < all.length; i += 50) await Promise.all(all.slice(i, i + 50).map((s) => s.open()));
    await Promise.all(first);
  }

  /** Resolves with the delivery time on each host, or null for hosts that did not get it within `timeoutMs`. */
  expect(hosts: string[], e: Omit<Expectation, 'resolve'>, timeoutMs: number): Promise<Array<bigint | null>> {
    return Promise.all(
      hosts.map(
        (host) =>
          new Promise<bigint | null>((resolve) => {
            const timer = setTimeout(() => {
              this.drop(host, entry);
              resolve(null);
            }, timeoutMs);
            const entry: Expectation = { ...e, resolve: (at) => (clearTimeout(timer), resolve(at)) };
            const list = this.expectations.get(host) ?? [];
            list.push(entry);
            this.expectations.set(host, list);
          }),
      ),
    );
  }

  totals(): { messages: number; bytes: number } {
    let messages = 0;
    let bytes = 0;
    for (const s of this.streams.values()) {
      messages += s.messages;
      bytes += s.bytes;
    }
    return { messages, bytes };
  }

  close(): void {
    for (const s of this.streams.values()) s.close();
    this.agent.destroy();
  }

  private drop(host: string, entry: Expectation): void {
    const list = this.expectations.get(host);
    if (list)
      this.expectations.set(
        host,
        list.filter((x) => x !== entry),
      );
  }

  private onMessage(host: string, m: SseMessage): void {
    this.ready.get(host)?.();
    this.ready.delete(host);
    const list = this.expectations.get(host);
    if (!list || list.length === 0) return;
    const doc = JSON.parse(m.data) as Doc;
    const left: Expectation[] = [];
    for (const e of list) {
      if (delivers(doc, e)) e.resolve(m.at);
      else left.push(e);
    }
    this.expectations.set(host, left);
  }
}
