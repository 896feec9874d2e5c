import { z } from 'zod';
import { defineEvent } from '../define-event';

/** The resources that carry Neutron's standard-attr-tag tags, by their `resources` kind. */
export const TAGGABLE_KINDS = ['network', 'subnet', 'port', 'router', 'security_group', 'floatingip'] as const;
export type TaggableKind = (typeof TAGGABLE_KINDS)[number];

/** Neutron's tag: a non-empty string of at most 255 characters without a comma (lists filter on comma-separated tags). */
export const tag = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^,]*$/, "a tag must not contain ','");

/**
 * A resource's tags after a change: the whole set, sorted (tags are a set in Neutron). The project and,
 * for subnets and ports, the network place it under the same partition key as the resource's other events.
 */
export const ResourceTagsSet = defineEvent(
  'ResourceTagsSet',
  z.object({
    resourceType: z.enum(TAGGABLE_KINDS),
    resourceId: z.string(),
    projectId: z.string(),
    networkId: z.string().nullable(),
    tags: z.array(tag),
  }),
);
