#!/usr/bin/env bash
# Installs the Debian 12 packages that bench/proxy-bench.sh needs besides
# the build's own (tests/install-deps.sh): nginx (the binary only; the
# harness runs its own private instance and never the system service),
# wrk, curl and python3. Run as root (or through sudo). Where systemd
# runs, Debian's nginx package also enables and starts the system
# service on port 80; the harness never uses it (`systemctl disable --now
# nginx` stops it).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends \
    nginx wrk curl python3 >/dev/null
echo "bench/install-deps: nginx, wrk, curl and python3 installed"
