import { securityGroupStream } from '@cp/write-model';
import { createHash } from 'node:crypto';
import { defaultSecurityGroupCommand, securityGroupDecider } from '@cp/domain';
import type { UnitOfWork } from '@cp/write-model';

/**
 * Namespace of the name-based ids below. Chosen once at random; never change it:
 * ids derived from it are stored in events.
 */
const NAMESPACE = '4becf377-9e8c-49e1-b792-2a7cfc775011';

/** RFC 4122 version 5 (SHA-1, name-based) UUID; node:crypto only makes random ones. */
export function uuidv5(name: string, namespace = NAMESPACE): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The id of a project's `default` group follows from the project, so two first
 * uses at once decide on the same stream and optimistic concurrency lets one win
 * (the loser is re-run by CommandRunner and then finds the group).
 */
export const defaultSecurityGroupId = (projectId: string) => uuidv5(`default-security-group/${projectId}`);

/**
 * Makes the project's `default` group unless it exists, in the caller's unit of
 * work (the ports slice calls this when a port is created). Returns its id.
 * Time comes from the unit of work's context; `_now` is accepted for callers that pass it.
 */
export async function ensureDefaultSecurityGroup(uow: UnitOfWork, projectId: string, _now?: string): Promise<string> {
  const id = defaultSecurityGroupId(projectId);
  const stream = securityGroupStream(id);
  // UnitOfWork.load is typed for Decider<never, S, never>, which no real decider is.
  const state = await uow.load(securityGroupDecider, stream);
  if (state.status === 'active') return id;
  // Rule ids also follow from the stream, plus its version so that a default group an
  // admin deleted comes back with new rule ids rather than reusing those of dead rules.
  const row = await uow.db.get<{ v: number | string | null }>(
    'SELECT MAX(stream_version) AS v FROM events WHERE stream_id = ?',
    [stream],
    uow.tx,
  );
  const generation = Number(row?.v ?? 0);
  const ruleId = (rule: string) => uuidv5(`${id}/${generation}/${rule}`);
  await uow.decide(
    securityGroupDecider,
    stream,
    defaultSecurityGroupCommand(projectId, {
      id,
      ingressIPv4: ruleId('ingress-IPv4'),
      egressIPv4: ruleId('egress-IPv4'),
      ingressIPv6: ruleId('ingress-IPv6'),
      egressIPv6: ruleId('egress-IPv6'),
    }),
  );
  return id;
}
