#!/usr/bin/env bash
# The whole test suite, from a clean clone: `npm ci && npm test` runs this.
# It installs what the tests drive besides Node packages (the stock OpenStack
# client and openstacksdk, Keystone for the authentication tests, Tempest for the
# conformance test, ipset, iptables and ping for the data-plane test, Chromium for
# the topology page's browser test), makes sure
# PostgreSQL answers, checks types and layering, then runs
# jest; jest's global setup starts a real Kafka broker (fetched with Maven).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v openstack >/dev/null 2>&1 || missing+=(python3-openstackclient)
/usr/bin/python3 -c 'import openstack' >/dev/null 2>&1 || missing+=(python3-openstacksdk)
command -v keystone-manage >/dev/null 2>&1 || missing+=(keystone)
command -v tempest >/dev/null 2>&1 || missing+=(tempest neutron-tempest-plugin)
# The data-plane test's kernel tools: the agent programs ipsets and iptables, the VMs ping.
command -v ipset >/dev/null 2>&1 || missing+=(ipset)
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
command -v ping >/dev/null 2>&1 || missing+=(iputils-ping)
command -v nft >/dev/null 2>&1 || missing+=(nftables)
# The topology page's test drives Debian's Chromium (headless) with playwright-core.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} for the end-to-end and authentication tests"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
fi

npm run --silent lint
mkdir -p .tmp
status=0
# Everything but the multi-process distributed, data-plane and browser tests runs
# on both cores; those start several servers (and a broker, agents and namespaces,
# or a browser) of their own and time what a user sees, so they run after, one at
# a time, where a loaded machine cannot starve their timeouts.
npx jest --ci --maxWorkers=2 --testPathIgnorePatterns /node_modules/ /test/distributed/ /test/dataplane/ /test/ui/ \
  --json --outputFile=.tmp/jest-main.json "$@" || status=$?
npx jest --ci --runInBand --passWithNoTests --selectProjects integration \
  --json --outputFile=.tmp/jest-distributed.json "$@" test/distributed test/dataplane test/ui || status=$?
# One plain closing line with the counts of both runs.
node -e 'const rs = [".tmp/jest-main.json", ".tmp/jest-distributed.json"].map((f) => require("./" + f));
  const n = (k) => rs.reduce((a, r) => a + r[k], 0);
  console.log(`tests: ${n("numPassedTests")} passed, ${n("numFailedTests")} failed, ${n("numPendingTests")} skipped`);' || true
exit "$status"
