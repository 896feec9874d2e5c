/**
 * Neutron's default policy (Zed, with `enforce_new_defaults`): admin, project member and
 * project reader, with the `*_owner`, shared and external rules, in oslo.policy's language.
 * Operators override any rule from a file (CP_POLICY_FILE); this table is the one place
 * where who-may-do-what is written down. `act_for_host` and the rules below it are ours:
 * the agent-facing API, which Neutron keeps behind its RPC bus.
 */
const ADMIN = 'rule:admin_only';
const MEMBER = 'rule:admin_or_project_member';
const READER = 'rule:admin_or_project_reader';
const NET_OWNER_MEMBER = 'rule:admin_or_net_owner_member';

export const DEFAULT_RULES: Readonly<Record<string, string>> = {
  context_is_admin: 'role:admin',
  admin_only: 'rule:context_is_admin',
  project_member: 'role:member and project_id:%(project_id)s',
  project_reader: 'role:reader and project_id:%(project_id)s',
  admin_or_project_member: 'rule:admin_only or rule:project_member',
  admin_or_project_reader: 'rule:admin_only or rule:project_reader',
  network_owner: 'project_id:%(network:project_id)s',
  admin_or_net_owner_member: 'rule:admin_only or (role:member and rule:network_owner)',
  admin_or_net_owner_reader: 'rule:admin_only or (role:reader and rule:network_owner)',
  shared: 'field:networks:shared=True',
  external: 'field:networks:router:external=True',
  sg_owner_member: 'role:member and project_id:%(security_group:project_id)s',
  sg_owner_reader: 'role:reader and project_id:%(security_group:project_id)s',

  // Networks
  create_network: MEMBER,
  'create_network:shared': ADMIN,
  'create_network:router:external': ADMIN,
  'create_network:is_default': ADMIN,
  'create_network:provider:network_type': ADMIN,
  'create_network:provider:physical_network': ADMIN,
  'create_network:provider:segmentation_id': ADMIN,
  get_network: `${READER} or rule:shared or rule:external`,
  'get_network:provider:network_type': ADMIN,
  'get_network:provider:physical_network': ADMIN,
  'get_network:provider:segmentation_id': ADMIN,
  update_network: MEMBER,
  'update_network:shared': ADMIN,
  'update_network:router:external': ADMIN,
  'update_network:provider:network_type': ADMIN,
  'update_network:provider:physical_network': ADMIN,
  'update_network:provider:segmentation_id': ADMIN,
  delete_network: MEMBER,

  // Subnets: the network's owner decides, a shared network's subnets are seen by all
  create_subnet: NET_OWNER_MEMBER,
  // Not `external`: a non-shared external network's subnets stay hidden from other projects (Tempest checks it).
  get_subnet: `${READER} or rule:shared or rule:admin_or_net_owner_reader`,
  update_subnet: NET_OWNER_MEMBER,
  delete_subnet: NET_OWNER_MEMBER,

  // Ports
  create_port: `${MEMBER} or rule:admin_or_net_owner_member`,
  'create_port:device_owner': `not rule:network_device or ${NET_OWNER_MEMBER}`,
  network_device: 'field:port:device_owner=~^network:',
  'create_port:mac_address': NET_OWNER_MEMBER,
  'create_port:fixed_ips:ip_address': NET_OWNER_MEMBER,
  'create_port:port_security_enabled': NET_OWNER_MEMBER,
  'create_port:allowed_address_pairs': NET_OWNER_MEMBER,
  'create_port:binding:host_id': ADMIN,
  'create_port:binding:profile': ADMIN,
  get_port: `${READER} or rule:admin_or_net_owner_reader`,
  'get_port:binding:vif_type': ADMIN,
  'get_port:binding:vif_details': ADMIN,
  'get_port:binding:host_id': ADMIN,
  'get_port:binding:profile': ADMIN,
  update_port: MEMBER,
  'update_port:mac_address': ADMIN,
  'update_port:fixed_ips:ip_address': NET_OWNER_MEMBER,
  'update_port:port_security_enabled': NET_OWNER_MEMBER,
  'update_port:allowed_address_pairs': NET_OWNER_MEMBER,
  'update_port:device_owner': `not rule:network_device or ${NET_OWNER_MEMBER}`,
  'update_port:binding:host_id': ADMIN,
  'update_port:binding:profile': ADMIN,
  delete_port: `${MEMBER} or rule:admin_or_net_owner_member`,

  // Routers
  create_router: MEMBER,
  'create_router:external_gateway_info': MEMBER,
  'create_router:external_gateway_info:enable_snat': ADMIN,
  'create_router:external_gateway_info:external_fixed_ips': ADMIN,
  'create_router:distributed': ADMIN,
  'create_router:ha': ADMIN,
  get_router: READER,
  'get_router:distributed': ADMIN,
  'get_router:ha': ADMIN,
  update_router: MEMBER,
  'update_router:external_gateway_info:enable_snat': ADMIN,
  'update_router:external_gateway_info:external_fixed_ips': ADMIN,
  'update_router:distributed': ADMIN,
  'update_router:ha': ADMIN,
  delete_router: MEMBER,

  // Floating IPs: a member takes one from an external network; choosing its address is the admins'
  create_floatingip: MEMBER,
  'create_floatingip:floating_ip_address': ADMIN,
  get_floatingip: READER,
  update_floatingip: MEMBER,
  delete_floatingip: MEMBER,
  add_router_interface: MEMBER,
  remove_router_interface: MEMBER,

  // Security groups and their rules
  create_security_group: MEMBER,
  get_security_group: READER,
  update_security_group: MEMBER,
  delete_security_group: MEMBER,
  create_security_group_rule: `${MEMBER} or rule:sg_owner_member`,
  get_security_group_rule: `${READER} or rule:sg_owner_reader`,
  delete_security_group_rule: `${MEMBER} or rule:sg_owner_member`,

  // Agents and the L3 agent scheduler views: operators only
  get_agent: ADMIN,
  update_agent: ADMIN,
  delete_agent: ADMIN,
  'get_l3-routers': ADMIN,
  'get_l3-agents': ADMIN,
  'create_l3-router': ADMIN,
  'get_dhcp-agents': ADMIN,
  'get_dhcp-networks': ADMIN,
  'create_dhcp-network': ADMIN,
  'delete_dhcp-network': ADMIN,
  'delete_l3-router': ADMIN,
  get_router_ha: ADMIN,

  // Quotas: a project reads its own limits without a rule; another project's, the list and changes are the admins'
  get_quota: ADMIN,
  update_quota: ADMIN,
  delete_quota: ADMIN,

  // The audit log: an admin reads all of it, a project reader its own project's events
  get_events: READER,

  // The agent-facing API: the control plane's service user, an admin, or an agent on its own host
  service: 'role:service',
  agent_for_host: 'role:agent and agent_host:%(host)s',
  act_for_host: 'rule:admin_only or rule:service or rule:agent_for_host',
  report_agent: 'rule:act_for_host',
  report_port_status: 'rule:act_for_host',
  report_ha_state: 'rule:act_for_host',
  get_host_l2: 'rule:act_for_host',
  get_host_l3: 'rule:act_for_host',
  get_host_dhcp: 'rule:act_for_host',
};

/**
 * The defaults of guarded attributes in Neutron's attribute maps: on create, an attribute sent
 * with its default is not "explicitly set", so its rule does not apply. Attributes without a
 * default here (a router's `ha`, the provider attributes) count whenever they are sent.
 */
export const CREATE_DEFAULTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  create_network: { shared: false, 'router:external': false, is_default: false },
  create_port: { 'binding:host_id': '', 'binding:profile': null, port_security_enabled: true, device_owner: '' },
};
