import { Agent, request } from 'node:http';

/**
 * A small JSON client over node:http with a keep-alive agent. node:http rather
 * than fetch: on a 2-core machine the client shares the CPU with the server,
 * and undici's fetch costs noticeably more per request than a raw request.
 */
export class Http {
  readonly agent: Agent;

  constructor(
    readonly base: string,
    maxSockets = 64,
    private readonly headers: Record<string, string> = {},
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.base}${path}`,
        {
          method,
          agent: this.agent,
          headers: payload ? { ...this.headers, 'content-type': 'application/json', 'content-length': payload.length } : this.headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T });
            } catch (err) {
              reject(new Error(`${method} ${path}: ${res.statusCode} unparsable body: ${text.slice(0, 200)} (${String(err)})`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like call, but a status other than `expect` is an error naming the request and the answer. */
  async ok<T = Record<string, unknown>>(method: string, path: string, body?: unknown, expect = [200, 201]): Promise<T> {
    const res = await this.call<T>(method, path, body);
    if (!expect.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    return res.body;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `worker(i)` for i in [0, total) with at most `concurrency` in flight; stops starting new ones at `deadline`. */
export async function pool(total: number, concurrency: number, deadline: number, worker: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < total && Date.now() < deadline) {
      const i = next++;
      await worker(i);
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
  return done;
}
