import { PgHostFeed, type HostHub } from '@cp/host-feed';
import { KafkaProjector, type Database, type KafkaProjectorOptions, type Projection } from '@cp/store';
import { kafkaProjectorMetrics } from './metrics';
import type { ProcessOps } from './process-ops';

export interface WatchFeed {
  /** The hub the projection wakes after its commits (the runtime's). */
  hub: HostHub;
  /** PostgreSQL URL and schema of the shared read model: instances tell each other about commits over NOTIFY. */
  url: string;
  schema: string;
}

/**
 * A read model fed from the event topic by a KafkaProjector, as a projector
 * process runs it: metrics and readiness wired, and a start that does not need
 * Kafka to be up. The process serves its (possibly stale) read model at once and
 * joins the group as soon as the broker answers; /readyz says which it is.
 */
export class KafkaReadModel {
  readonly projector: KafkaProjector;
  readonly feed: PgHostFeed | null;
  private started = false;
  private stopping = false;
  private starting: Promise<void> | null = null;
  private lastError: string | null = null;

  constructor(
    private readonly ops: ProcessOps,
    readonly db: Database,
    readonly projection: Projection,
    kafka: KafkaProjectorOptions,
    maxLag: number,
    watch: WatchFeed | null = null,
  ) {
    const log = ops.child(`projector:${projection.name}`);
    const channel = watch && `cp_${projection.name}_${watch.schema}`.slice(0, 63);
    this.feed = watch && new PgHostFeed(watch.url, channel!, watch.hub, ops.child('host-feed'));
    this.projector = new KafkaProjector(db, projection, {
      ...kafka,
      logger: log,
      metrics: kafkaProjectorMetrics(ops.registry, projection.name, () => (this.started ? this.projector : null)),
      onError: (err) => (this.lastError = err instanceof Error ? err.message : String(err)),
    });
    ops.readiness.add({
      name: `read-model:${projection.name}`,
      critical: true,
      run: async () => (await db.get('SELECT 1 AS ok'), { ok: true }),
    });
    ops.readiness.add({
      name: `projector:${projection.name}`,
      critical: true,
      run: async () => {
        if (!this.started) return { ok: false, detail: { state: 'joining', lastError: this.lastError } };
        const lag = await this.projector.lag();
        const total = [...lag.values()].reduce((a, b) => a + b, 0);
        return { ok: total <= maxLag, detail: { lag: total, maxLag, groupId: this.projector.groupId, topic: this.projector.topic } };
      },
    });
  }

  /** Returns at once; keeps trying to join the group (broker down, topic missing) until it has or the process stops. */
  start(): void {
    this.feed?.start();
    const log = this.ops.child(`projector:${this.projection.name}`);
    this.starting = (async () => {
      for (let attempt = 1; !this.stopping; attempt++) {
        try {
          await this.projector.start();
          this.started = true;
          log.info({ groupId: this.projector.groupId, topic: this.projector.topic }, 'joined the consumer group');
          return;
        } catch (err) {
          this.lastError = err instanceof Error ? err.message : String(err);
          log.warn({ err, attempt }, 'could not join the consumer group yet; retrying');
          await this.projector.stop().catch(() => undefined);
          await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** Math.min(attempt, 5))));
        }
      }
    })();
  }

  /** Finishes the transaction in flight and leaves the group, so its partitions move at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.starting;
    await this.projector.stop();
    await this.feed?.stop();
  }
}
