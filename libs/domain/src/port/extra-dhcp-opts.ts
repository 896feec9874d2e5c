import type { ExtraDhcpOpt } from '@cp/events';
import { badRequest, type Rejection } from '../decider';
import { invalidAttribute } from '../ipam';

/** One entry of a request's extra_dhcp_opts; a null value removes the option (on update). */
export interface ExtraDhcpOptRequest {
  optName: string;
  optValue: string | null;
  ipVersion: 4 | 6;
}

/** Neutron's column sizes. */
const MAX_NAME = 64;
const MAX_VALUE = 255;
/**
 * The DHCP agent writes options into dnsmasq's files, one per line, fields split
 * by commas in the name: a line break or control character would inject lines.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Neutron's extra_dhcp_opt: each (name, IP version) at most once. On create
 * options without a value are dropped; on update each option named is replaced
 * or, with a null value, removed, and the others are kept.
 */
export function mergeExtraDhcpOpts(current: readonly ExtraDhcpOpt[], requests: readonly ExtraDhcpOptRequest[]): ExtraDhcpOpt[] | Rejection {
  const seen = new Set<string>();
  const out = [...current];
  for (const r of requests) {
    const name = r.optName.trim();
    if (name === '' || name.length > MAX_NAME || CONTROL.test(name) || name.includes(',')) {
      return invalidAttribute('extra_dhcp_opts', `'${r.optName}' is not a valid DHCP option name`);
    }
    if (r.optValue !== null && (r.optValue === '' || r.optValue.length > MAX_VALUE || CONTROL.test(r.optValue))) {
      return invalidAttribute('extra_dhcp_opts', `'${r.optValue}' is not a valid value for DHCP option ${name}`);
    }
    const key = `${r.ipVersion}/${name}`;
    if (seen.has(key)) return badRequest(`Duplicate DHCP option ${name} for IP version ${r.ipVersion} in the request.`);
    seen.add(key);
    const at = out.findIndex((o) => o.optName === name && o.ipVersion === r.ipVersion);
    if (r.optValue === null) {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) {
      out[at] = { optName: name, optValue: r.optValue, ipVersion: r.ipVersion };
    } else {
      out.push({ optName: name, optValue: r.optValue, ipVersion: r.ipVersion });
    }
  }
  return out;
}
