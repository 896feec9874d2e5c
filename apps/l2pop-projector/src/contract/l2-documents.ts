/*
 * The agent-facing documents of GET /v1/hosts/{host}/l2 (design.md §5), shared by
 * the server and the reference agent. Field names are snake_case like Neutron's API.
 */

export type MacIp = [mac: string, ip: string];

export interface L2NetworkView {
  network_type: string;
  segmentation_id: number | null;
  /** Tunnel IPs of the other hosts taking part in this network, sorted. */
  flood: string[];
  /** Unicast entries per remote tunnel IP; remotes with none (flood-only) are not listed. */
  fdb: Record<string, MacIp[]>;
}

export interface IpsetView {
  security_group_id: string;
  ethertype: 'IPv4' | 'IPv6';
  /** IPs and CIDRs, sorted. */
  members: string[];
}

/**
 * A port bound to the host: what its agent needs to plug the device (Neutron's
 * get_device_details), whether it is up or not yet.
 */
export interface LocalPortView {
  network_id: string;
  /** '' and null while the network is unknown to the model. */
  network_type: string;
  segmentation_id: number | null;
  mac_address: string;
  /** The port's fixed IPs, sorted. */
  fixed_ips: string[];
  /** IPs and CIDRs of its allowed address pairs, sorted. */
  allowed_address_pairs: string[];
  security_groups: string[];
  port_security_enabled: boolean;
  device_owner: string;
}

/** One security group rule as the agent's firewall applies it (Neutron's field names). */
export interface SecurityGroupRuleView {
  id: string;
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  /** Matched through the ipset of that group and ethertype (listed in `ipsets`). */
  remote_group_id: string | null;
}

/** `GET /v1/hosts/{host}/l2`: everything the host's L2 agent programs, as of `revision`. */
export interface L2Snapshot {
  host: string;
  /** Opaque, monotonic per host. */
  revision: string;
  networks: Record<string, L2NetworkView>;
  ipsets: Record<string, IpsetView>;
  /** The ports bound to this host, by id. */
  ports: Record<string, LocalPortView>;
  /** The rules of every group a port of this host is in, by group id; each list sorted by rule id. */
  security_groups: Record<string, SecurityGroupRuleView[]>;
}

/** A snapshot given where changes were asked for: the agent replaces its copy. */
export interface L2Resync extends L2Snapshot {
  since: string | null;
  resync: true;
}

/** What changed in one network of the host's view. */
export interface L2NetworkChange {
  network_type: string;
  segmentation_id: number | null;
  /** Per remote tunnel IP: its whole new entry list ([] = flood only), or null = no longer a remote. */
  remotes: Record<string, MacIp[] | null>;
  /**
   * `remotes` lists every remote of the network: drop any other the agent has.
   * Sent for a network the host (re)joined since `since`, or one whose old
   * removals were compacted away.
   */
  full?: true;
}

/**
 * `?since=<revision>`: the changes from `since` to `revision`. Networks and
 * ipsets not listed are unchanged; null means removed; an ipset is given whole.
 */
export interface L2Delta {
  host: string;
  revision: string;
  since: string;
  resync: false;
  networks: Record<string, L2NetworkChange | null>;
  ipsets: Record<string, IpsetView | null>;
  /**
   * Present when the host's own ports or their groups' rules changed since
   * `since`: the whole of both, replacing the agent's (a host's ports are few).
   */
  ports?: Record<string, LocalPortView>;
  security_groups?: Record<string, SecurityGroupRuleView[]>;
}

/** One unicast FDB entry of an entry delta: the remote's tunnel IP, the port's MAC and IP. */
export type FdbEntry = [tunnel_ip: string, mac: string, ip: string];

/** Things added and removed since `since`; `full` (a network or set given whole): `added` is all of it, drop anything else. */
export interface Added<T> {
  added: T[];
  removed: T[];
}

/** What changed in one network of the host's view, entry by entry (`?delta=entries`). */
export interface L2NetworkEntries {
  network_type: string;
  segmentation_id: number | null;
  /** Remote tunnel IPs that joined or left the flood list. */
  flood: Added<string>;
  fdb: Added<FdbEntry>;
  /** Sent for a network the host (re)joined since `since`, or one whose old removals were compacted away. */
  full?: true;
}

/** What changed in one ipset, member by member. */
export interface IpsetEntries {
  security_group_id: string;
  ethertype: 'IPv4' | 'IPv6';
  members: Added<string>;
  /** A set the host (re)joined, or one whose old removals were compacted away. */
  full?: true;
}

/**
 * `?since=<revision>&delta=entries`: the changes from `since` to `revision`
 * as entries added and removed, so its size follows what changed, not the size
 * of the networks and groups. Networks and ipsets not listed are unchanged;
 * null means removed. `ports` and `security_groups` as in L2Delta.
 */
export interface L2EntryDelta {
  host: string;
  revision: string;
  since: string;
  resync: false;
  delta: 'entries';
  networks: Record<string, L2NetworkEntries | null>;
  ipsets: Record<string, IpsetEntries | null>;
  ports?: Record<string, LocalPortView>;
  security_groups?: Record<string, SecurityGroupRuleView[]>;
}

/** How a delta is given: whole lists per changed remote and set (the first format, the default), or entries. */
export type L2DeltaFormat = 'lists' | 'entries';

export type L2Changes = L2Delta | L2EntryDelta | L2Resync;
