#!/usr/bin/env bash
# Starts a Docker engine on a machine that has none running, the way this project's CI machine allows it: Debian's
# docker.io, no bridge network and no iptables rules (containers use the host's network, so every connection stays
# on 127.0.0.1). Does nothing when an engine already answers. Exits non-zero when none can be started, and says why.
set -uo pipefail

if docker info > /dev/null 2>&1; then
    exit 0
fi

if ! command -v dockerd > /dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "no Docker engine answers and dockerd is not installed (installing docker.io needs root)" >&2
        exit 1
    fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io > /dev/null || {
        echo "apt-get install docker.io failed" >&2
        exit 1
    }
fi

log="${ES_DOCKERD_LOG:-/var/tmp/embeddingstore-dockerd.log}"
nohup dockerd --bridge=none --iptables=false --ip6tables=false > "$log" 2>&1 &
for _ in $(seq 1 60); do
    if docker info > /dev/null 2>&1; then
        exit 0
    fi
    sleep 1
done
echo "dockerd did not answer within 60 s; see $log" >&2
exit 1
