import { ApiBody } from '@nestjs/swagger';
import { z } from 'zod';

/**
 * Documents a Neutron request body `{<resource>: {...}}` in the OpenAPI document
 * from the same zod schema that validates it, so the two cannot drift apart.
 */
export function NeutronBody(resource: string | null, schema: z.ZodType): MethodDecorator {
  const inner = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete inner.$schema;
  const body = resource ? { type: 'object', required: [resource], properties: { [resource]: inner } } : inner;
  return ApiBody({ schema: body as never });
}
