import { z } from 'zod';
import { defineEvent } from '../define-event';

/** The resources that carry Neutron's standard-attr-tag tags, by their `resources` kind. */
export const TAGGABLE_KINDS = ['network', 'subnet', 'port', 'router', 'security_group'] as const;
export type TaggableKind = (typeof TAGGABLE_KINDS)[number];

/** Neutron's tag: a non-empty string of at most 255 characters without a comma (lists filter on comma-separated tags). */
export const tag = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^,]*$/, "a tag must not contain ','");

/** A resource's tags after a change: the whole set, sorted (tags are a set in Neutron). */
export const ResourceTagsSet = defineEvent(
  'ResourceTagsSet',
  z.object({ resourceType: z.enum(TAGGABLE_KINDS), resourceId: z.string(), tags: z.array(tag) }),
);
