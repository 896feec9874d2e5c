/** One host's read as a watch stream asks for it. */
export interface ChangeAsk {
  host: string;
  since: string | null;
  format?: string;
}

interface Pending<D> extends ChangeAsk {
  resolve(doc: D): void;
  reject(err: unknown): void;
}

/**
 * Gathers the reads the watch streams make in one turn of the event loop and
 * serves them together. A commit wakes all its hosts' watchers in one loop
 * (HostHub.notify), so their reads land in the same turn: on PostgreSQL that
 * is one query per kind of row for all of them instead of a dozen per host.
 */
export class ChangeBatcher<D> {
  private queue: Pending<D>[] = [];

  constructor(private readonly readMany: (asks: ChangeAsk[], format: string | undefined) => Promise<D[]>) {}

  read(ask: ChangeAsk): Promise<D> {
    return new Promise<D>((resolve, reject) => {
      this.queue.push({ ...ask, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const byFormat = new Map<string | undefined, Pending<D>[]>();
    for (const p of this.queue.splice(0)) {
      const group = byFormat.get(p.format);
      if (group) group.push(p);
      else byFormat.set(p.format, [p]);
    }
    await Promise.all(
      [...byFormat].map(async ([format, group]) => {
        try {
          const docs = await this.readMany(group, format);
          group.forEach((p, i) => p.resolve(docs[i]));
        } catch (err) {
          for (const p of group) p.reject(err);
        }
      }),
    );
  }
}
