import type { AddressPair } from '@cp/events';
import { badRequest, conflict, notFound, type Rejection } from '../decider';
import { canonicalIpOrCidr, canonicalUnicastMac, invalidAttribute } from '../ipam';
import type { AddressPairRequest } from './port.types';

/** Neutron's default max_allowed_address_pair. */
export const MAX_ALLOWED_ADDRESS_PAIRS = 10;

export function checkMac(text: string): string | Rejection {
  return canonicalUnicastMac(text) ?? invalidAttribute('mac_address', `'${text}' is not a valid MAC address`);
}

export const macInUse = (networkId: string, mac: string) =>
  conflict('MacAddressInUse', `Unable to complete operation for network ${networkId}. The mac address ${mac} is in use.`);

/**
 * A generated MAC that collides is the edge's to retry with a fresh one (Neutron
 * retries internally, then answers 503); a distinct type lets it tell the two apart.
 */
export const macGenerationFailed = (networkId: string) =>
  conflict('MacAddressGenerationFailure', `Unable to generate unique mac on network ${networkId}.`);

export const securityGroupsNeedPortSecurity = () =>
  badRequest(
    'Port security must be enabled and port must have an IP address in order to use security groups.',
    'PortSecurityAndIPRequiredForSecurityGroups',
  );

export const portHasSecurityGroup = () =>
  conflict(
    'PortSecurityPortHasSecurityGroup',
    'Port has security group associated. Cannot disable port security or ip address until security group is removed',
  );

export const pairsNeedPortSecurity = () =>
  conflict('AddressPairAndPortSecurityRequired', 'Port Security must be enabled in order to have allowed address pairs on a port.');

export function checkSecurityGroupsExist(missing: readonly string[]): Rejection | null {
  return missing.length > 0 ? notFound('SecurityGroupNotFound', `Security group ${missing[0]} does not exist`) : null;
}

/** Order kept, repeats dropped (Neutron's converter de-duplicates the list too). */
export const uniqueIds = (ids: readonly string[]) => [...new Set(ids)];

/**
 * Neutron's _validate_allowed_address_pairs: an address or a CIDR (kept as
 * given, host bits and all), an optional MAC defaulting to the port's, no pair
 * twice. Stored canonical, so ipset members compare as plain strings.
 */
export function checkAddressPairs(pairs: readonly AddressPairRequest[], portMac: string): AddressPair[] | Rejection {
  if (pairs.length > MAX_ALLOWED_ADDRESS_PAIRS) {
    return badRequest(
      `The number of allowed address pair exceeds the maximum ${MAX_ALLOWED_ADDRESS_PAIRS}.`,
      'AllowedAddressPairExhausted',
    );
  }
  const out: AddressPair[] = [];
  for (const pair of pairs) {
    let macAddress = portMac;
    if (pair.macAddress !== undefined) {
      const mac = canonicalUnicastMac(pair.macAddress);
      if (!mac) return invalidAttribute('allowed_address_pairs', `'${pair.macAddress}' is not a valid MAC address`);
      macAddress = mac;
    }
    const ipAddress = canonicalIpOrCidr(pair.ipAddress);
    if (!ipAddress) {
      const what = pair.ipAddress?.includes('/') ? 'IP subnet' : 'IP address';
      return invalidAttribute('allowed_address_pairs', `'${pair.ipAddress}' is not a valid ${what}`);
    }
    if (out.some((p) => p.ipAddress === ipAddress && p.macAddress === macAddress)) {
      return badRequest(
        `Request contains duplicate address pair: mac_address ${macAddress} ip_address ${ipAddress}.`,
        'DuplicateAddressPairInRequest',
      );
    }
    out.push({ ipAddress, macAddress });
  }
  return out;
}
