import { createHash } from 'node:crypto';
import type { Database } from './db/database';

/** One part of a read model's digest: a name and the query whose rows it hashes. */
export type DigestPart = readonly [name: string, sql: string];

/**
 * Per part, a hash of its rows in a backend-independent order and encoding:
 * rows sorted in JS, not SQL (PostgreSQL's collation and SQLite's byte order
 * differ), integers as numbers whatever the driver hands back.
 */
export async function digestParts(db: Database, parts: readonly DigestPart[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, sql] of parts) {
    const rows = await db.all<Record<string, unknown>>(sql);
    const lines = rows.map((r) => JSON.stringify(Object.values(r).map((v) => (typeof v === 'bigint' ? Number(v) : v)))).sort();
    out[name] = sha256(`${lines.length}\n${lines.join('\n')}`);
  }
  return out;
}

/** The digest of a whole model from its parts' hashes. */
export function combineParts(parts: Record<string, string>): string {
  return sha256(JSON.stringify(parts));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
