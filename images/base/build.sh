#!/usr/bin/env bash
# Builds the base image offline: no container registry is reachable, Debian's packages are.
# Usage: images/base/build.sh IMAGE_TAG
set -euo pipefail
tag="${1:?usage: build.sh IMAGE_TAG}"
mirror="${DRILL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
command -v debootstrap >/dev/null || { echo "debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
root="$(mktemp -d /tmp/drill-base.XXXXXX)"
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; exit 1; }
rm -f "$root.log"
# Keep the image lean: package lists and caches are rebuilt by `apt-get update` in derived images.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV DEBIAN_FRONTEND=noninteractive' \
  --change 'CMD ["/bin/bash"]' - "$tag" >/dev/null
echo "built $tag"
