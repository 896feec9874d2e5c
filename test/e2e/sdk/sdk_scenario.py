"""openstacksdk's network proxy against the control plane, the way Nova or Terraform drive Neutron.

Run with Debian's interpreter (python3-openstacksdk):

    /usr/bin/python3 sdk_scenario.py <endpoint> <section>

where <section> is `pagination` or `resources`. The script prints one JSON object of what it
observed; test/e2e/openstacksdk.test.ts asserts on it. An unexpected exception from the SDK
ends the script non-zero with its traceback on stderr.
"""

import json
import sys
import time

import openstack
from openstack import exceptions


def connect(endpoint, project=None):
    """No Keystone (as in the openstack CLI test): auth type `none` and the network endpoint.

    The control plane runs noauth, so the caller is what keystonemiddleware would have put in the
    headers: a project's member, or (no headers) the cloud admin.
    """
    conn = openstack.connect(
        auth_type="none",
        auth={"endpoint": endpoint},
        network_endpoint_override=endpoint,
        region_name="RegionOne",
    )
    if project:
        conn.network.additional_headers = {"X-Project-Id": project, "X-Roles": "member"}
    return conn


def refusal(call):
    """The SDK exception a call raises: class, status, message and Neutron's error type (None if it succeeds)."""
    try:
        call()
    except exceptions.HttpException as e:
        try:
            kind = e.response.json()["NeutronError"]["type"]
        except (ValueError, KeyError, TypeError, AttributeError):
            kind = None
        return {"class": type(e).__name__, "status": e.status_code, "message": str(e), "type": kind}
    return None


def counting_gets(conn):
    """Records the URLs the proxy GETs (Resource.list pages through `conn.network.get`)."""
    urls = []
    get = conn.network.get

    def recorded(url, *args, **kwargs):
        urls.append(url)
        return get(url, *args, **kwargs)

    conn.network.get = recorded
    return urls


def pagination(endpoint):
    project = "sdk-pages"
    admin, conn = connect(endpoint), connect(endpoint, project)
    out = {}
    net = conn.network.create_network(name="sdk-pages")
    subnet = conn.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.100.0.0/21", name="sdk-pages")
    quota = conn.network.get_quota(project)
    out["default_port_quota"] = quota.ports

    def used():
        return conn.network.get_quota(project, details=True).ports["used"]

    free = quota.ports - used()

    def bulk(names):
        made = []
        for i in range(0, len(names), 250):
            made.extend(conn.network.create_ports([{"network_id": net.id, "name": n} for n in names[i : i + 250]]))
        return made

    began = time.monotonic()
    ports = bulk(["sdk-%04d" % i for i in range(free - 2)])
    # Two places left: a bulk create of three is refused as a whole, then two fit, then one more is over.
    out["over_quota_bulk"] = refusal(lambda: list(conn.network.create_ports([{"network_id": net.id} for _ in range(3)])))
    out["used_after_refused_bulk"] = used()
    ports += bulk(["sdk-%04d" % i for i in range(free - 2, free)])
    out["over_quota_single"] = refusal(lambda: conn.network.create_port(network_id=net.id, name="sdk-over"))
    out["used_at_limit"] = used()
    admin.network.update_quota(project, ports=-1)
    out["raised_port_quota"] = conn.network.get_quota(project).ports
    ports += bulk(["sdk-%04d" % i for i in range(free, 1000)])
    out["create_seconds"] = round(time.monotonic() - began, 1)
    created = [p.id for p in ports]
    out["created"] = len(created)
    out["created_with_ip"] = sum(1 for p in ports if p.fixed_ips and p.fixed_ips[0]["subnet_id"] == subnet.id)

    gets = counting_gets(conn)
    listed = [p.id for p in conn.network.ports(network_id=net.id, limit=100)]
    out["listed"] = len(listed)
    out["listed_distinct"] = len(set(listed))
    out["listed_equals_created"] = sorted(listed) == sorted(created)
    out["list_requests"] = len(gets)

    # This SDK's Port resource does not accept sort_key/sort_dir (InvalidResourceQuery), so the
    # sorted listing follows `ports_links` through the proxy's raw GET, as the SDK does.
    names, url, pages, links_keep_sort = [], "/ports?network_id=%s&limit=100&sort_key=name&sort_dir=desc" % net.id, 0, True
    while url:
        body = conn.network.get(url).json()
        pages += 1
        names += [p["name"] for p in body["ports"]]
        nxt = [link["href"] for link in body.get("ports_links", []) if link["rel"] == "next"]
        url = nxt[0] if nxt else None
        if url and ("sort_key=name" not in url or "sort_dir=desc" not in url):
            links_keep_sort = False
    out["sorted_pages"] = pages
    out["sorted_count"] = len(names)
    out["sorted_in_order"] = names == sorted(names, reverse=True)
    out["sorted_links_keep_sort"] = links_keep_sort

    admin.network.delete_quota(project)
    out["reset_port_quota"] = conn.network.get_quota(project).ports
    return out


COUNTED = ("networks", "subnets", "ports", "routers", "security_groups")


def resources(endpoint):
    project = "sdk-tenant"
    admin, net_ = connect(endpoint).network, connect(endpoint, project).network
    out = {}
    # Listing its groups gives the project its default group (Neutron's _ensure_default_security_group).
    out["default_groups"] = [g.name for g in net_.security_groups()]
    before = net_.get_quota(project, details=True)

    # Network: create, update, find by name, If-Match.
    net = net_.create_network(name="sdk-net")
    created_rev = net.revision_number
    net = net_.update_network(net, name="sdk-net-2", mtu=1400)
    out["network"] = {"name": net.name, "mtu": net.mtu, "revised": net.revision_number > created_rev}
    found = net_.find_network("sdk-net-2")
    out["network"]["found_by_name"] = found is not None and found.id == net.id
    out["network"]["old_name_gone"] = net_.find_network("sdk-net") is None
    out["network"]["stale_if_revision"] = refusal(lambda: net_.update_network(net.id, name="x", if_revision=created_rev))
    current = net_.update_network(net.id, description="cas", if_revision=net.revision_number)
    out["network"]["current_if_revision"] = {"description": current.description, "name": current.name}

    # Subnet: create with a CIDR, update DNS servers and allocation pools.
    subnet = net_.create_subnet(network_id=net.id, ip_version=4, cidr="10.40.0.0/24", name="sdk-subnet", dns_nameservers=["192.0.2.53"])
    out["subnet"] = {"id": subnet.id, "cidr": subnet.cidr, "gateway_ip": subnet.gateway_ip, "pools": subnet.allocation_pools}
    subnet = net_.update_subnet(
        subnet, dns_nameservers=["192.0.2.54", "192.0.2.55"], allocation_pools=[{"start": "10.40.0.100", "end": "10.40.0.200"}]
    )
    shown = net_.get_subnet(subnet.id)
    out["subnet"]["updated"] = {"dns": shown.dns_nameservers, "pools": shown.allocation_pools}

    # Security group and a rule.
    sg = net_.create_security_group(name="sdk-sg", description="ssh")
    rule = net_.create_security_group_rule(
        security_group_id=sg.id, direction="ingress", ethertype="IPv4", protocol="tcp", port_range_min=22, port_range_max=22
    )
    rules = list(net_.security_group_rules(security_group_id=sg.id))
    out["security_group"] = {
        "id": sg.id,
        "name": sg.name,
        "rule": {"protocol": rule.protocol, "min": rule.port_range_min, "max": rule.port_range_max, "direction": rule.direction},
        "rule_listed": rule.id in [r.id for r in rules],
        "egress_rules": sorted(r.ether_type for r in rules if r.direction == "egress"),
    }

    # Port: fixed IP, then name, security groups and (as admin) a host binding.
    port = net_.create_port(network_id=net.id, name="sdk-port", fixed_ips=[{"subnet_id": subnet.id, "ip_address": "10.40.0.150"}])
    out["port"] = {"fixed_ips": port.fixed_ips, "default_groups": len(port.security_group_ids)}
    port = net_.update_port(port, name="sdk-port-2", security_group_ids=[sg.id])
    out["port"]["member_binds"] = refusal(lambda: net_.update_port(port, binding_host_id="compute-1"))
    admin.update_port(port, binding_host_id="compute-1")
    shown = admin.get_port(port.id)  # binding:* attributes are the admin's to see
    out["port"]["member_sees_binding"] = net_.get_port(port.id).binding_host_id
    out["port"]["updated"] = {
        "name": shown.name,
        "security_group_ids": shown.security_group_ids,
        "binding_host_id": shown.binding_host_id,
        "binding_vif_type": shown.binding_vif_type,
        "binding_vif_details": shown.binding_vif_details,
    }
    out["security_group"]["delete_in_use"] = refusal(lambda: net_.delete_security_group(sg, ignore_missing=False))

    # Router: an interface on the subnet, then off again.
    router = net_.create_router(name="sdk-router")
    added = net_.add_interface_to_router(router, subnet_id=subnet.id)
    iface = [p for p in net_.ports(device_id=router.id)]
    out["router"] = {
        "interface": {"subnet_id": added.get("subnet_id"), "has_port_id": bool(added.get("port_id"))},
        "interface_ports": [{"owner": p.device_owner, "ip": p.fixed_ips[0]["ip_address"]} for p in iface],
    }
    during = net_.get_quota(project, details=True)
    out["quota_used_delta"] = {k: getattr(during, k)["used"] - getattr(before, k)["used"] for k in COUNTED}
    out["quota_details_shape"] = sorted(during.ports.keys())
    net_.remove_interface_from_router(router, subnet_id=subnet.id)
    out["router"]["ports_after_remove"] = len(list(net_.ports(device_id=router.id)))

    # Delete everything and check it is gone.
    net_.delete_router(router, ignore_missing=False)
    net_.delete_port(port, ignore_missing=False)
    net_.delete_security_group_rule(rule, ignore_missing=False)
    net_.delete_security_group(sg, ignore_missing=False)
    net_.delete_subnet(subnet, ignore_missing=False)
    net_.delete_network(net, ignore_missing=False)
    out["gone"] = {
        "router": net_.find_router(router.id) is None,
        "port": net_.find_port(port.id) is None,
        "rule": net_.find_security_group_rule(rule.id) is None,
        "security_group": net_.find_security_group("sdk-sg") is None,
        "subnet": net_.find_subnet(subnet.id) is None,
        "network": net_.find_network("sdk-net-2") is None,
    }
    out["delete_missing"] = refusal(lambda: net_.delete_network(net.id, ignore_missing=False))
    after = net_.get_quota(project, details=True)
    out["quota_used_after_delete"] = {k: getattr(after, k)["used"] - getattr(before, k)["used"] for k in COUNTED}
    return out


SECTIONS = {"pagination": pagination, "resources": resources}

if __name__ == "__main__":
    endpoint, section = sys.argv[1:3]
    print(json.dumps(SECTIONS[section](endpoint)))
