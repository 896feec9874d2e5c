# Loaded by Python at start when this directory is on PYTHONPATH (scripts/tempest/run.sh puts it
# there for the Tempest run only). Debian's Tempest sleeps 10 s before every subnet delete, which
# turns a 75 s run into 20 minutes; this drops that sleep and nothing else.
try:
    from tempest.lib.services.network import subnets_client as _subnets

    def _delete_subnet(self, subnet_id):
        return self.delete_resource('/subnets/%s' % subnet_id)

    _subnets.SubnetsClient.delete_subnet = _delete_subnet
except Exception:  # not a Tempest process
    pass
