import { z } from 'zod';
import { fail } from '@cp/write-model';

/**
 * Validates a Neutron request body `{<resource>: {...}}` against a strict zod
 * schema and turns zod's findings into Neutron's wording: unknown attributes,
 * missing resource key, wrong types, each naming the attribute at fault.
 */
export function validateBody<S extends z.ZodObject>(resource: string, schema: S, body: unknown): z.infer<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    fail(400, 'HTTPBadRequest', 'Body contains invalid data: a JSON object is required.');
  }
  const inner = (body as Record<string, unknown>)[resource];
  if (inner === undefined) fail(400, 'HTTPBadRequest', `Resource body required: expected a '${resource}' object.`);
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
    fail(400, 'HTTPBadRequest', `Invalid input for ${resource}: a JSON object is required.`);
  }
  const unknown = Object.keys(inner).filter((k) => !(k in schema.shape));
  if (unknown.length > 0) {
    fail(400, 'HTTPBadRequest', `Unrecognized attribute(s) '${unknown.join(', ')}'`);
  }
  const parsed = schema.safeParse(inner);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const attr = issue.path.join('.') || resource;
    const given = issue.path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k as string], inner);
    fail(
      400,
      'HTTPBadRequest',
      `Invalid input for ${attr}. Reason: ${issue.message}${given === undefined ? '' : ` (got ${JSON.stringify(given)})`}.`,
    );
  }
  return parsed.data;
}

/** Neutron accepts booleans as JSON booleans or the strings "true"/"false". */
export const neutronBool = z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False']).transform((s) => s.toLowerCase() === 'true')], {
  error: 'not a valid boolean value',
});
/**
 * Neutron's convert_to_int: an integer, or a string of digits (`openstack network set --mtu 1400`
 * sends "1400"). Anything else is "not an integer".
 */
export const neutronInt = z.union(
  [
    z.number().int(),
    z
      .string()
      .trim()
      .regex(/^-?\d+$/)
      .transform(Number),
  ],
  { error: 'not an integer' },
);
export const nameField = z.string().max(255);
export const uuidLike = z.string().min(1).max(64);
