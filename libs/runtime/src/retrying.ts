import type { Logger } from 'pino';

/**
 * Runs `fn` until it succeeds, with backoff, for start-up dependencies (the
 * database) that may come up after this process. Gives up after `attempts` so a
 * wrong URL still fails the process visibly.
 */
export async function retrying<T>(fn: () => Promise<T>, opts: { what: string; log: Logger; attempts?: number }): Promise<T> {
  const attempts = opts.attempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts) throw err;
      const delay = Math.min(5_000, 200 * 2 ** attempt);
      opts.log.warn({ error: err instanceof Error ? err.message : String(err), attempt, retryInMs: delay }, `cannot open ${opts.what} yet`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
