#!/usr/bin/env bash
# The test suite runs against Debian's mosquitto, Chromium, nginx (the TLS reverse proxy of
# deploy/), openssl (test certificates), rabbitmq-server (deploy/'s broker for zero loss),
# postgresql-15 (the scaled deployment's store; the tests start their own cluster with initdb) and
# systemd-analyze from systemd (verifies deploy/scaled/'s units).
# Install them when they are missing, so `npm test` works on a fresh machine; fail loudly rather
# than skip the tests that need them.
set -euo pipefail
missing=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-test-deps: installing ${missing[*]} from Debian" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-test-deps: need root to apt-get install ${missing[*]}; install them and re-run" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts these as system services on install; the tests start their own.
  for unit in mosquitto nginx rabbitmq-server epmd postgresql; do
    (systemctl stop "$unit" || service "$unit" stop) >/dev/null 2>&1 || true
  done
fi
