import { Counter, Gauge, type Registry } from 'prom-client';
import type { HotState } from './views/hot-state';

/**
 * How well the projection's state in memory serves its batches: reads of a
 * network's or set's state found current in memory (hit) or read from the
 * database (miss: first use, evicted, or changed by another instance), and the
 * rows held. A low hit ratio with several instances means they keep writing the
 * same networks (design.md §7, "Hot state").
 */
export function registerL2Metrics(registry: Registry, hot: HotState): void {
  if (registry.getSingleMetric('controlplane_l2pop_hot_state_reads_total')) return;
  new Counter({
    name: 'controlplane_l2pop_hot_state_reads_total',
    help: 'Per-network and per-set state a batch needed, by where it came from: memory (hit) or the database (miss)',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ result: 'hit' }, hot.hits);
      this.inc({ result: 'miss' }, hot.misses);
    },
  });
  new Gauge({
    name: 'controlplane_l2pop_hot_state_rows',
    help: 'Members, viewers and set holders the L2 projection keeps in memory',
    registers: [registry],
    collect() {
      this.set(hot.size);
    },
  });
  new Gauge({
    name: 'controlplane_l2pop_hot_state_max_rows',
    help: 'The most rows the L2 projection keeps in memory (CP_L2_HOT_ROWS); the least recently used go first',
    registers: [registry],
    collect() {
      this.set(hot.maxRows);
    },
  });
}
