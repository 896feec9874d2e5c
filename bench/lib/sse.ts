import { request, type Agent, type ClientRequest } from 'node:http';

export interface SseMessage {
  id: string | null;
  data: string;
  /** process.hrtime.bigint() when the message's last byte was read. */
  at: bigint;
  /** Bytes on the wire for this message (framing included). */
  bytes: number;
}

/**
 * A minimal server-sent-events reader over node:http: timestamps each message
 * as it completes and counts its bytes, which a general EventSource client
 * hides. No reconnects: a dropped stream in a benchmark is a failure to report.
 */
export class SseStream {
  private req: ClientRequest | null = null;
  private buffer = '';
  bytes = 0;
  messages = 0;
  closed = false;

  constructor(
    private readonly url: string,
    private readonly onMessage: (m: SseMessage) => void,
    private readonly agent?: Agent,
  ) {}

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.req = request(this.url, { agent: this.agent, headers: { accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`${this.url}: ${res.statusCode}`));
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.feed(chunk));
        res.on('end', () => (this.closed = true));
        resolve();
      });
      this.req.on('error', (err) => (this.closed ? undefined : reject(err)));
      this.req.end();
    });
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const bytes = Buffer.byteLength(block) + 2;
      this.bytes += bytes;
      let id: string | null = null;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      // Comments (keep-alives) and retry hints carry no data.
      if (data.length === 0) continue;
      this.messages++;
      this.onMessage({ id, data: data.join('\n'), at: process.hrtime.bigint(), bytes });
    }
  }

  close(): void {
    this.closed = true;
    this.req?.destroy();
  }
}
