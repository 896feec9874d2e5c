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
  const marker = values(q, 'marker')[0];
  if (marker) {
    const at = out.findIndex((b) => b.id === marker);
    if (at < 0) fail(404, 'MarkerNotFound', `Marker ${marker} could not be found.`);
    out = out.slice(at + 1);
  }
  const limitText = values(q, 'limit')[0];
  const result: Record<string, unknown> = {};
  if (limitText !== undefined) {
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 0) fail(400, 'HTTPBadRequest', `Limit must be a non-negative integer, got '${limitText}'.`);
    if (limit > 0 && out.length > limit) {
      out = out.slice(0, limit);
      result[`${collection}_links`] = [{ rel: 'next', href: nextPage(q, limit, String(out[out.length - 1].id)) }];
    }
  }
  result[collection] = out.map((b) => selectFields(b, q));
  return result;
}

/**
 * The next page's query: the same filters, sort and fields, the limit, and the last id as marker.
 * Relative here; `absoluteListLinks` makes it absolute with the request's own URL, as Neutron does.
 */
function nextPage(q: Query, limit: number, marker: string): string {
  const params = new URLSearchParams();
  for (const [key, v] of Object.entries(q)) {
    if (key === 'limit' || key === 'marker' || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) params.append(key, one);
  }
  params.set('limit', String(limit));
  params.set('marker', marker);
  return `?${params.toString()}`;
}

/** `fields=a&fields=b` keeps only those attributes. */
export function selectFields(body: Body, q: Query): Body {
  const fields = values(q, 'fields');
  if (fields.length === 0) return body;
  return Object.fromEntries(fields.filter((f) => f in body).map((f) => [f, body[f]]));
}
