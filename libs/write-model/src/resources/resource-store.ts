import type { Database, Tx } from '@cp/store';

export type Body = Record<string, unknown>;

/** Rows of the `resources` read model, read and written inside a transaction. */
export class ResourceStore {
  constructor(private readonly db: Database) {}

  async get(kind: string, id: string, tx?: Tx): Promise<Body | null> {
    const row = await this.db.get<{ body: string }>('SELECT body FROM resources WHERE kind = ? AND id = ?', [kind, id], tx);
    return row ? (JSON.parse(row.body) as Body) : null;
  }

  async put(kind: string, id: string, projectId: string, parentId: string | null, body: Body, tx: Tx): Promise<void> {
    await this.db.run(
      `INSERT INTO resources (kind, id, project_id, parent_id, body) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (kind, id) DO UPDATE SET project_id = excluded.project_id, parent_id = excluded.parent_id, body = excluded.body`,
      [kind, id, projectId, parentId, JSON.stringify(body)],
      tx,
    );
  }

  async remove(kind: string, id: string, tx: Tx): Promise<void> {
    await this.db.run('DELETE FROM resources WHERE kind = ? AND id = ?', [kind, id], tx);
  }

  /** All rows of a kind, optionally only one project's (plus rows `alsoVisible` admits, e.g. shared networks). */
  async list(kind: string, opts: { projectId?: string; parentId?: string } = {}, tx?: Tx): Promise<Body[]> {
    const where = ['kind = ?'];
    const params: unknown[] = [kind];
    if (opts.projectId !== undefined) {
      where.push('project_id = ?');
      params.push(opts.projectId);
    }
    if (opts.parentId !== undefined) {
      where.push('parent_id = ?');
      params.push(opts.parentId);
    }
    const rows = await this.db.all<{ body: string }>(`SELECT body FROM resources WHERE ${where.join(' AND ')} ORDER BY id`, params, tx);
    return rows.map((r) => JSON.parse(r.body) as Body);
  }

  async count(kind: string, parentId: string, tx?: Tx): Promise<number> {
    const row = await this.db.get<{ n: number | string }>(
      'SELECT COUNT(*) AS n FROM resources WHERE kind = ? AND parent_id = ?',
      [kind, parentId],
      tx,
    );
    return Number(row?.n ?? 0);
  }

  /** How many of a kind one project owns (what its quota counts). */
  async countInProject(kind: string, projectId: string, tx?: Tx): Promise<number> {
    const row = await this.db.get<{ n: number | string }>(
      'SELECT COUNT(*) AS n FROM resources WHERE kind = ? AND project_id = ?',
      [kind, projectId],
      tx,
    );
    return Number(row?.n ?? 0);
  }
}
