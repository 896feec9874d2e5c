import { z } from 'zod';

/** `GET /v1/hosts/{host}/l2/explain` asks about one entry: an FDB pair or flood entry, or an ipset member. */
const schema = z.union([
  z.strictObject({ network: z.string().min(1).max(64), tunnel_ip: z.string().min(1).max(64), mac: z.string().min(1).max(32).optional() }),
  z.strictObject({ ipset: z.string().min(1).max(32), member: z.string().min(1).max(64) }),
]);
export type ExplainQuery = z.infer<typeof schema>;

/** The query, or the sentence a 400 says. */
export function parseExplainQuery(raw: Record<string, unknown>): ExplainQuery | string {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  return 'explain one entry: ?network=<id>&tunnel_ip=<ip>[&mac=<mac>] (an FDB pair, or the flood entry without mac) or ?ipset=<name>&member=<ip or cidr>';
}
