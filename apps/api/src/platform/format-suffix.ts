/**
 * Neutron answers `/v2.0/networks.json` and `/v2.0/quotas/{id}/details.json` as it answers the path
 * without the suffix (its format extension; openstacksdk asks for quota details that way). JSON is
 * the only format, so the suffix is dropped before routing (the request's `originalUrl` keeps it).
 */
export function withoutFormatSuffix(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (!path.startsWith('/v2.0/') || !path.endsWith('.json')) return url;
  return path.slice(0, -'.json'.length) + (q < 0 ? '' : url.slice(q));
}
