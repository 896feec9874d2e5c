import type { Logger } from 'pino';
import type { Readiness } from './health';

export interface ShutdownStep {
  name: string;
  run(): Promise<unknown>;
}

export interface ShutdownOptions {
  /** Whole shutdown budget; past it the process exits 1 (Kubernetes' default grace period is 30 s). */
  timeoutMs: number;
  /** Unready this long before the server stops accepting, so load balancers take the instance out first. */
  drainDelayMs?: number;
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: report unready, then run the steps in
 * order (callers pass: stop accepting and finish in-flight requests, stop
 * consumers and the relay, close databases), then exit 0. A second signal, or
 * the time limit, exits at once: everything acknowledged is already durable, so
 * cutting a step short loses nothing but time on the next start.
 */
export function onShutdown(log: Logger, readiness: Readiness, steps: () => ShutdownStep[], opts: ShutdownOptions): void {
  let started = false;
  const handler = (signal: NodeJS.Signals) => {
    if (started) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    started = true;
    void run(signal);
  };
  const run = async (signal: NodeJS.Signals) => {
    const began = Date.now();
    log.info({ signal }, `${signal}: shutting down`);
    readiness.drain();
    const timer = setTimeout(() => {
      log.error({ timeoutMs: opts.timeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, opts.timeoutMs);
    timer.unref();
    if (opts.drainDelayMs) await new Promise((r) => setTimeout(r, opts.drainDelayMs));
    let failed = false;
    for (const step of steps()) {
      const t = Date.now();
      try {
        await step.run();
        log.info({ step: step.name, ms: Date.now() - t }, `stopped ${step.name}`);
      } catch (err) {
        failed = true;
        log.error({ err, step: step.name }, `stopping ${step.name} failed`);
      }
    }
    log.info({ ms: Date.now() - began }, 'shutdown complete');
    log.flush?.();
    process.exit(failed ? 1 : 0);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
