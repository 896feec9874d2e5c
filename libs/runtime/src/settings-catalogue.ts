/**
 * Every setting a control plane process reads, by its environment name, with
 * what it is for. A config file may set exactly these (its keys are the names
 * in lower case without `CP_`, see config-file.ts); a test checks that every
 * `CP_*` name the code reads is here, so the file's schema cannot drift from
 * the code. Defaults and value checks stay with each process's own schema.
 */
export const SETTINGS_CATALOGUE = {
  // Every process
  CP_HOST: 'listen address (0.0.0.0 behind a load balancer)',
  CP_PORT: 'listen port: api 9696, l2pop 9697, l3 9698, dhcp 9699',
  CP_LOG_LEVEL: 'fatal, error, warn, info, debug, trace or silent',
  CP_READY_MAX_LAG: '/readyz fails while a read model is more events behind than this',
  CP_SHUTDOWN_TIMEOUT_MS: 'SIGTERM budget; past it the process exits 1',
  CP_SHUTDOWN_DRAIN_MS: 'time to stay up but unready after SIGTERM',
  CP_OPS_HOST: 'where /healthz, /readyz and /metrics listen when CP_OPS_PORT is set',
  CP_OPS_PORT: 'a separate port for /healthz, /readyz and /metrics',
  CP_DATA_DIR: "embedded mode's data directory",
  // Authentication and policy
  CP_AUTH_STRATEGY: 'noauth or keystone',
  CP_POLICY_FILE: "YAML or JSON overrides of policy rules, as Neutron's policy.yaml",
  CP_DEFAULT_PROJECT_ID: 'noauth: the project of requests without X-Project-Id',
  CP_NOAUTH_ANY_ADDRESS: 'let noauth listen on a non-loopback address',
  CP_KEYSTONE_URL: "Keystone's v3 endpoint",
  CP_KEYSTONE_USERNAME: "the control plane's service user",
  CP_KEYSTONE_PASSWORD: "the service user's password",
  CP_KEYSTONE_PROJECT: "the service user's project",
  CP_KEYSTONE_USER_DOMAIN: "the service user's domain",
  CP_KEYSTONE_PROJECT_DOMAIN: "the service project's domain",
  CP_KEYSTONE_CACHE_TTL_S: 'how long a token validation is trusted',
  CP_KEYSTONE_TIMEOUT_MS: 'per call to Keystone',
  // API: storage and the Neutron model
  CP_EVENT_STORE_URL: 'PostgreSQL URL of the event store; set = distributed mode',
  CP_EVENT_STORE_SCHEMA: 'schema of the event store',
  CP_SQLITE_SYNCHRONOUS: 'FULL (fsync every commit) or NORMAL',
  CP_SNAPSHOT_EVERY: 'embedded mode snapshots each read model every this many events (0: never)',
  CP_SNAPSHOT_KEEP: 'snapshots kept per read model (more: time travel near older points is cheap)',
  CP_TENANT_NETWORK_TYPE: 'type of networks created without provider attributes',
  CP_VNI_RANGE: 'VNIs allocated to tenant networks, min:max',
  CP_NETWORK_VLAN_RANGES: "Neutron's network_vlan_ranges",
  CP_FLAT_NETWORKS: "Neutron's flat_networks",
  CP_TUNNEL_MTU: 'MTU of tunnelled networks',
  CP_PHYSNET_MTU: "MTU of VLAN and flat networks (Neutron's global_physnet_mtu)",
  CP_AGENT_DOWN_TIME: 'seconds without heartbeat before an agent is dead',
  CP_DHCP_AGENTS_PER_NETWORK: 'DHCP agents serving each network',
  CP_QUOTA_NETWORK: 'default networks per project (-1 unlimited)',
  CP_QUOTA_SUBNET: 'default subnets per project',
  CP_QUOTA_PORT: 'default ports per project',
  CP_QUOTA_ROUTER: 'default routers per project',
  CP_QUOTA_FLOATINGIP: 'default floating IPs per project',
  CP_QUOTA_SECURITY_GROUP: 'default security groups per project',
  CP_QUOTA_SECURITY_GROUP_RULE: 'default security group rules per project',
  CP_QUOTA_RBAC_POLICY: 'default RBAC policies per project',
  CP_QUOTA_SUBNETPOOL: 'default subnet pools per project',
  // API in distributed mode
  CP_RELAY_BATCH_SIZE: 'events per produce request of the relay',
  CP_RELAY_POLL_MS: "how often the relay looks for other instances' appends",
  CP_L2POP_URL: 'forward the L2 agent endpoints there',
  CP_L3_URL: 'forward the L3 agent endpoints there',
  CP_DHCP_URL: 'forward the DHCP agent endpoints there',
  CP_PROXY_TIMEOUT_MS: "time to wait for a forwarded request's answer",
  // Kafka
  CP_KAFKA_BROKERS: 'bootstrap brokers, comma-separated (a list in a config file)',
  CP_KAFKA_TOPIC: 'the event topic',
  CP_KAFKA_PARTITIONS: 'partitions, used by whoever creates the topic',
  CP_KAFKA_REPLICATION_FACTOR: 'replication, used by whoever creates the topic',
  CP_KAFKA_CLIENT_ID: 'kafkajs client id',
  CP_KAFKA_GROUP_ID: "a projector's consumer group",
  CP_KAFKA_SESSION_TIMEOUT_MS: "a dead instance's partitions move after this long",
  CP_KAFKA_REBALANCE_TIMEOUT_MS: 'how long a rebalance waits for members',
  CP_KAFKA_HEARTBEAT_INTERVAL_MS: 'consumer heartbeat interval',
  CP_KAFKA_MAX_WAIT_MS: 'longest fetch wait',
  CP_KAFKA_SSL: 'TLS to the brokers',
  CP_KAFKA_SSL_CA_FILE: 'PEM file of the CA to trust (implies TLS)',
  CP_KAFKA_SASL_MECHANISM: 'plain, scram-sha-256 or scram-sha-512',
  CP_KAFKA_SASL_USERNAME: 'SASL user',
  CP_KAFKA_SASL_PASSWORD: 'SASL password',
  // Projector processes
  CP_READ_MODEL_URL: 'PostgreSQL URL of the shared read model (distributed mode)',
  CP_READ_MODEL_SCHEMA: 'schema of the shared read model',
  CP_PROJECTOR_CHUNK_SIZE: 'events applied per read-model transaction',
  CP_PROJECTOR_CONCURRENCY: 'partitions applied at once',
  CP_WATCH_POLL_MS: 'watch streams poll the read model this often as a backstop',
  CP_WATCH_NOTIFY: 'wake watch streams through PostgreSQL NOTIFY',
  CP_APPLIED_LOG: 'log every applied event at debug',
  CP_L2_HOT_ROWS: 'rows of network and set state the L2 projection keeps in memory',
  // L3 scheduler
  CP_L3_SCHEDULER: 'run the HA scheduler in this l3 process',
  CP_L3_SCHEDULER_NAME: 'name of this scheduler instance',
  CP_L3_SCHEDULER_POLL_MS: 'how often the scheduler looks for work',
  CP_MAX_L3_AGENTS_PER_ROUTER: 'agents hosting each HA router',
  CP_MIN_L3_AGENTS_PER_ROUTER: 'below this an HA router waits, pending',
  CP_ALLOW_AUTOMATIC_L3AGENT_FAILOVER: "reschedule a dead agent's routers",
  CP_L3_HA_VNI_RANGE: 'VNIs of HA networks, min:max',
  CP_L3_HA_NETWORK_MTU: 'MTU of HA networks',
  // DHCP projector
  CP_DHCP_LEASE_DURATION: 'DHCP lease time in seconds (-1 infinite)',
  CP_DNS_DOMAIN: 'domain of DHCP host names',
} as const satisfies Record<`CP_${string}`, string>;

export type SettingName = keyof typeof SETTINGS_CATALOGUE;

export const SETTING_NAMES = Object.keys(SETTINGS_CATALOGUE) as SettingName[];
