/**
 * Upcasters turn an older stored shape of an event's data into the next version.
 * They run once, where events are read, so everything downstream sees only the
 * latest shape. Stored events are never rewritten.
 *
 * Key: `${type}@${fromVersion}`; the function returns the data at fromVersion + 1.
 */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

export const UPCASTERS: Record<string, Upcaster> = {};

export function upcast(
  type: string,
  version: number,
  latest: number,
  data: unknown,
  registry: Record<string, Upcaster> = UPCASTERS,
): unknown {
  let current = data as Record<string, unknown>;
  for (let v = version; v < latest; v++) {
    const step = registry[`${type}@${v}`];
    if (!step) throw new Error(`no upcaster for ${type} from schema version ${v} to ${v + 1}`);
    current = step(current);
  }
  return current;
}
