import { type Body, fail } from '@cp/write-model';

export type Query = Record<string, string | string[] | undefined>;

const RESERVED = new Set(['fields', 'limit', 'marker', 'sort_key', 'sort_dir', 'page_reverse', 'verbose']);

function values(q: Query, key: string): string[] {
  const v = q[key];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(',')).filter((s) => s !== '');
}

/**
 * An attribute's value as filters and sort keys compare it: JavaScript's String() of it, spelled out
 * (null and undefined read as '', lists are joined with ',', and a dict reads as '[object Object]').
 */
function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(text).join(',');
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '[object Object]'; // a dict: bodies are parsed JSON, nothing else is left
}

/**
 * Neutron's tag filters, each a comma-separated list: `tags` (has all), `tags-any` (has one),
 * `not-tags` (lacks one of them), `not-tags-any` (has none).
 */
const TAG_FILTERS: Record<string, (has: (t: string) => boolean, wanted: string[]) => boolean> = {
  tags: (has, wanted) => wanted.every(has),
  'tags-any': (has, wanted) => wanted.some(has),
  'not-tags': (has, wanted) => !wanted.every(has),
  'not-tags-any': (has, wanted) => !wanted.some(has),
};

/** Neutron compares filter strings with the attribute's value: booleans case-insensitively, lists by membership. */
function matches(actual: unknown, wanted: string): boolean {
  if (typeof actual === 'boolean') return wanted.toLowerCase() === String(actual);
  if (Array.isArray(actual)) return actual.some((a) => typeof a !== 'object' && String(a) === wanted);
  if (actual === null || actual === undefined) return wanted === '' || wanted.toLowerCase() === 'none';
  return text(actual) === wanted;
}

export interface ListOptions {
  /** Attributes a client may filter on; anything else is a 400, as with Neutron's filter validation. */
  attributes: readonly string[];
  /** Filters that need more than equality, e.g. ports' `fixed_ips=ip_address=...`. */
  custom?: Record<string, (body: Body, value: string) => boolean>;
}

/**
 * Neutron list semantics over a collection: attribute filters (repeated keys OR
 * together), `fields=`, `sort_key`/`sort_dir`, `limit`/`marker` pagination.
 */
export function applyListQuery(collection: string, items: Body[], q: Query, opts: ListOptions): Record<string, unknown> {
  let out = items;
  for (const key of Object.keys(q)) {
    if (RESERVED.has(key)) continue;
    const wanted = values(q, key);
    const tagFilter = opts.attributes.includes('tags') ? TAG_FILTERS[key] : undefined;
    if (tagFilter) {
      if (wanted.length > 0) out = out.filter((b) => tagFilter((t) => ((b.tags as string[] | undefined) ?? []).includes(t), wanted));
      continue;
    }
    const custom = opts.custom?.[key];
    if (!custom && !opts.attributes.includes(key)) fail(400, 'HTTPBadRequest', `${key} is an invalid filter for ${collection}.`);
    if (wanted.length === 0) continue;
    out = out.filter((b) => wanted.some((w) => (custom ? custom(b, w) : matches(b[key], w))));
  }
  const sortKeys = values(q, 'sort_key');
  const sortDirs = values(q, 'sort_dir');
  for (const k of sortKeys) if (!opts.attributes.includes(k)) fail(400, 'HTTPBadRequest', `${k} is an invalid attribute for sort_key.`);
  if (sortKeys.length > 0) {
    out = [...out].sort((a, b) => {
      for (let i = 0; i < sortKeys.length; i++) {
        const dir = (sortDirs[i] ?? 'asc') === 'desc' ? -1 : 1;
        const x = text(a[sortKeys[i]]);
        const y = text(b[sortKeys[i]]);
        if (x !== y) return x < y ? -dir : dir;
      }
      return 0;
    });
  }
  const result: Record<string, unknown> = {};
  const page = paginate(out, q);
  result[collection] = page.items.map((b) => selectFields(b, q));
  if (page.links.length > 0) result[`${collection}_links`] = page.links;
  return result;
}

/**
 * Neutron's native pagination: `limit` items after `marker` (or, with `page_reverse=True`, the
 * `limit` items just before it, still in the list's order). Links as Neutron makes them: `next`
 * unless a forward page came back short, `previous` unless a reverse page did, so a client may
 * ask once more and get an empty page at either end.
 */
function paginate(sorted: Body[], q: Query): { items: Body[]; links: Array<{ rel: string; href: string }> } {
  // Neutron's convert_to_boolean.
  const reverse = /^(true|1|yes|on|y|t)$/i.test(values(q, 'page_reverse')[0] ?? 'false');
  const marker = values(q, 'marker')[0];
  let from = 0;
  let to = sorted.length;
  if (marker) {
    const at = sorted.findIndex((b) => b.id === marker);
    if (at < 0) fail(404, 'MarkerNotFound', `Marker ${marker} could not be found.`);
    if (reverse) to = at;
    else from = at + 1;
  }
  const limitText = values(q, 'limit')[0];
  if (limitText === undefined) return { items: sorted.slice(from, to), links: [] };
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 0) fail(400, 'HTTPBadRequest', `Limit must be a non-negative integer, got '${limitText}'.`);
  if (limit === 0) return { items: sorted.slice(from, to), links: [] };
  const items = reverse ? sorted.slice(Math.max(from, to - limit), to) : sorted.slice(from, Math.min(to, from + limit));
  // From an empty page the way back starts at the end (no marker), as Neutron's links do.
  const first = items.length > 0 ? String(items[0].id) : null;
  const last = items.length > 0 ? String(items[items.length - 1].id) : null;
  const links: Array<{ rel: string; href: string }> = [];
  if (!(items.length < limit && !reverse)) links.push({ rel: 'next', href: pageHref(q, limit, last, false) });
  if (!(items.length < limit && reverse)) links.push({ rel: 'previous', href: pageHref(q, limit, first, true) });
  return { items, links };
}

/**
 * Another page's query: the same filters, sort and fields, the limit, the marker, and `page_reverse`
 * for a previous page. Relative here; `absoluteListLinks` makes it absolute with the request's own URL.
 */
function pageHref(q: Query, limit: number, marker: string | null, reverse: boolean): string {
  const params = new URLSearchParams();
  for (const [key, v] of Object.entries(q)) {
    if (key === 'limit' || key === 'marker' || key === 'page_reverse' || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) params.append(key, one);
  }
  params.set('limit', String(limit));
  if (marker !== null) params.set('marker', marker);
  if (reverse) params.set('page_reverse', 'True');
  return `?${params.toString()}`;
}

/**
 * Field names clients ask for under another name: the openstack CLI's `port list --long` asks for
 * `security_group_ids`, openstacksdk's name for a port's `security_groups`, and Neutron answers it.
 */
const FIELD_ALIASES: Record<string, string> = { security_group_ids: 'security_groups' };

/** `fields=a&fields=b` keeps only those attributes. */
export function selectFields(body: Body, q: Query): Body {
  const fields = values(q, 'fields').map((f) => FIELD_ALIASES[f] ?? f);
  if (fields.length === 0) return body;
  return Object.fromEntries(fields.filter((f) => f in body).map((f) => [f, body[f]]));
}
