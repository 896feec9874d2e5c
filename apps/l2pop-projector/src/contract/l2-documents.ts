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

/** `GET /v1/hosts/{host}/l2`: everything the host's L2 agent programs, as of `revision`. */
export interface L2Snapshot {
  host: string;
  /** Opaque, monotonic per host. */
  revision: string;
  networks: Record<string, L2NetworkView>;
  ipsets: Record<string, IpsetView>;
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
}

export type L2Changes = L2Delta | L2Resync;
