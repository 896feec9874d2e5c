import type { z } from 'zod';
import { fail, type UnitOfWork, type WriteSide } from '@cp/write-model';
import type { RequestContext } from './request-context';
import { validateBody } from './validate-body';

/** Neutron caps nothing here by default; a bound keeps one command (one transaction) reasonable. */
const MAX_BULK = 1000;

/**
 * Neutron's bulk create, `{"<collection>": [{...}, ...]}`: each item validated as a single
 * create would be. Null when the body is a single create (`{"<resource>": {...}}`).
 */
export function bulkInputs<S extends z.ZodObject>(resource: string, collection: string, schema: S, body: unknown): z.infer<S>[] | null {
  if (typeof body !== 'object' || body === null || !(collection in body)) return null;
  const items = (body as Record<string, unknown>)[collection];
  if (Object.keys(body).length !== 1) fail(400, 'HTTPBadRequest', `A bulk request carries only '${collection}'.`);
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BULK) {
    fail(400, 'HTTPBadRequest', `Invalid input for ${collection}: a list of 1 to ${MAX_BULK} ${resource} objects is required.`);
  }
  // Neutron takes each item bare or wrapped in its resource key (neutron-tempest-plugin wraps them).
  const wrapped = (item: unknown) =>
    typeof item === 'object' && item !== null && Object.keys(item).length === 1 && resource in item ? item : { [resource]: item };
  return (items as unknown[]).map((item) => validateBody(resource, schema, wrapped(item)));
}

/**
 * Runs each item's create in one command: one transaction, so a bulk create makes all of its
 * resources or none (Neutron's native bulk), and later items see what earlier ones took
 * (segmentation ids, addresses, MACs). Returns the new ids in request order.
 */
export async function createAll<I>(
  ws: WriteSide,
  ctx: RequestContext,
  inputs: readonly I[],
  createIn: (uow: UnitOfWork, input: I) => Promise<string>,
  /** What the creates contend for, if anything (CommandRunner.run's `queueOn`). */
  queueOn: readonly string[] = [],
): Promise<string[]> {
  const { result } = await ws.runner.run(
    ctx,
    async (uow) => {
      const ids: string[] = [];
      for (const input of inputs) ids.push(await createIn(uow, input));
      return ids;
    },
    { queueOn },
  );
  return result;
}
