import { MemFacts, SqlFacts, type FactStore, type PortFacts } from './facts';
import { Impact } from './impact';
import type { Sql } from '@cp/store';

/**
 * What the events of one batch share: the transaction, the facts, the derived
 * keys they named (recomputed once, when the batch ends) and the port facts they
 * read or wrote, so a port created, bound and set up within one batch is read once.
 */
export class Batch {
  readonly impact: Impact;
  readonly facts: FactStore;
  /**
   * Set for a replay from scratch into an empty model: events change facts in
   * memory only, and the batch's end writes them and derives every view once.
   */
  readonly mem: MemFacts | null;
  /** Port facts after the batch's latest event on the port (null: deleted or never seen). */
  private readonly ports = new Map<string, PortFacts | null>();

  constructor(
    readonly q: Sql,
    bulk: boolean,
  ) {
    this.mem = bulk ? new MemFacts() : null;
    this.facts = this.mem ?? new SqlFacts(q);
    this.impact = new Impact(!bulk);
  }

  /** The port's facts as the batch's events left them. */
  async port(id: string): Promise<PortFacts | null> {
    if (this.mem) return this.mem.loadPort(id);
    const cached = this.ports.get(id);
    return cached !== undefined ? cached : this.facts.loadPort(id);
  }

  rememberPort(id: string, facts: PortFacts | null): void {
    if (this.mem) return;
    // Bounded, should a batch ever be large.
    if (this.ports.size >= PORT_CACHE_SIZE && !this.ports.has(id)) this.ports.delete(this.ports.keys().next().value!);
    this.ports.set(id, facts);
  }
}

const PORT_CACHE_SIZE = 10_000;
