#!/usr/bin/env bash
# Installs the Debian 12 packages soapbridge builds, tests and benchmarks
# with. Run as root (or through sudo).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends \
    build-essential autoconf automake libtool pkg-config \
    libevent-dev libxml2-dev libxslt1-dev libssl-dev libyajl-dev \
    libcurl4-openssl-dev libyaml-dev check gsoap libgsoap-dev \
    tzdata valgrind libxml2-utils xsltproc python3 ca-certificates curl openssl >/dev/null
echo "install-deps: packages installed"
