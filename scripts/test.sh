#!/usr/bin/env bash
# The whole test suite, from a clean clone: `npm ci && npm test` runs this.
# It installs what the tests drive besides Node packages (the stock OpenStack
# client), makes sure PostgreSQL answers, checks types and layering, then runs
# jest; jest's global setup starts a real Kafka broker (fetched with Maven).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v openstack >/dev/null 2>&1; then
  echo "installing the OpenStack client (python3-openstackclient) for the end-to-end tests"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-openstackclient >/dev/null
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
fi

npm run --silent lint
mkdir -p .tmp
status=0
npx jest --ci --maxWorkers=2 --json --outputFile=.tmp/jest-results.json "$@" || status=$?
# One plain closing line with the counts, whatever reporter jest used.
node -e 'const r = require("./.tmp/jest-results.json");
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);' || true
exit "$status"
