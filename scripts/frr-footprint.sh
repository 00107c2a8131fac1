#!/bin/bash
# What FRR costs a router (issue 13): the installed size of FRR and the
# packages only it pulls into the lab image, and each router's boot, from
# its container's start to its %SYS-5-RESTART line, in a lab without routing
# (the seed) and in one with OSPF on every router (ospf-triangle), 3 rounds.
# Run as root on a machine with Docker, after `npm run build`:
#   bash scripts/frr-footprint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
boot_ms() { # lab
  for c in $(docker ps --filter "label=testbed.lab" --format '{{.Names}}'); do
    docker logs -t "$c" 2>&1 | grep -q 'SYS-5-RESTART' || continue   # routers only
    started=$(docker inspect -f '{{.State.StartedAt}}' "$c")
    ready=$(docker logs -t "$c" 2>&1 | grep -m1 'SYS-5-RESTART' | cut -d' ' -f1)
    docker inspect -f '{{.Config.Image}}' "$c" > /tmp/frr-footprint-image
    node -e 'console.log(process.argv[1], process.argv[2], Date.parse(process.argv[4]) - Date.parse(process.argv[3]), "ms")' "$1" "$c" "$started" "$ready"
  done
}
for round in 1 2 3; do
  for lab in daphne-fred ospf-triangle; do
    node bin/testbed.js up "topologies/$lab.yaml" >/dev/null
    boot_ms "$lab"
    node bin/testbed.js down "topologies/$lab.yaml" >/dev/null
  done
done
image=$(cat /tmp/frr-footprint-image)   # the image the routers above ran
echo "image $image: $(docker image inspect -f '{{.Size}}' "$image") bytes"
echo "FRR and what only it pulls in (dpkg Installed-Size, KiB):"
docker run --rm --network none --entrypoint sh "$image" -c \
  "dpkg-query -W -f '\${Package} \${Installed-Size}\n' frr libyang2 libc-ares2 libjson-c5 libreadline8 readline-common logrotate cron cron-daemon-common lsof libpopt0 sensible-utils"
