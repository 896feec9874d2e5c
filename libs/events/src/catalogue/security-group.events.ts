import { z } from 'zod';
import { defineEvent } from '../define-event';
import { ethertype, id } from './common';

export const SecurityGroupCreated = defineEvent(
  'SecurityGroupCreated',
  z.object({
    id,
    projectId: z.string(),
    name: z.string().max(255),
    description: z.string().max(255),
    /** The project's `default` group, made on first use; it cannot be deleted by a tenant. */
    isDefault: z.boolean(),
    stateful: z.boolean(),
  }),
);
export const SecurityGroupUpdated = defineEvent(
  'SecurityGroupUpdated',
  z.object({
    id,
    projectId: z.string(),
    changes: z.object({ name: z.string().max(255), description: z.string().max(255), stateful: z.boolean() }).partial(),
  }),
);
export const SecurityGroupDeleted = defineEvent('SecurityGroupDeleted', z.object({ id, projectId: z.string() }));

export const securityGroupRule = z.object({
  id,
  securityGroupId: id,
  projectId: z.string(),
  direction: z.enum(['ingress', 'egress']),
  ethertype,
  protocol: z.string().nullable(),
  portRangeMin: z.number().int().nullable(),
  portRangeMax: z.number().int().nullable(),
  remoteIpPrefix: z.string().nullable(),
  remoteGroupId: id.nullable(),
  description: z.string().max(255),
});
export type SecurityGroupRule = z.infer<typeof securityGroupRule>;
export const SecurityGroupRuleCreated = defineEvent('SecurityGroupRuleCreated', securityGroupRule);
export const SecurityGroupRuleDeleted = defineEvent(
  'SecurityGroupRuleDeleted',
  z.object({ id, securityGroupId: id, projectId: z.string() }),
);
