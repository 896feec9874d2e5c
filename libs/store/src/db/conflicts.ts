/** Errors that mean "another writer got there first": retry the command. */
export function isConflictError(err: unknown): boolean {
  const e = err as { code?: string; message?: string; name?: string };
  if (e?.name === 'ConcurrencyError') return true;
  if (e?.code === '40001' || e?.code === '40P01' || e?.code === '23505') return true;
  return /UNIQUE constraint failed|SQLITE_CONSTRAINT_PRIMARYKEY|SQLITE_CONSTRAINT_UNIQUE|could not serialize|deadlock detected|duplicate key/i.test(
    e?.message ?? '',
  );
}
