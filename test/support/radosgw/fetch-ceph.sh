#!/usr/bin/env bash
# Download (never install) Debian's Ceph mon/osd/rgw packages and their dependencies, and unpack them into
# the cache folder CEPH_ROOT (see env.sh). Reuses an existing unpacked tree; ~70 MB download, ~260 MB unpacked.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
if [ -x "$CEPH_ROOT/usr/bin/radosgw" ] && [ -x "$CEPH_ROOT/usr/bin/ceph-mon" ] && [ -x "$CEPH_ROOT/usr/bin/ceph-osd" ]; then
  exit 0
fi
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || {
  echo "fetch-ceph: needs apt-get and dpkg-deb (a Debian/Ubuntu machine). Alternatively set S3DB_TEST_S3_URL to an S3 endpoint." >&2
  exit 2
}
if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "fetch-ceph: Debian package lists are empty; running apt-get update" >&2
    apt-get update -qq >&2
  else
    echo "fetch-ceph: Debian package lists are empty. Run 'sudo apt-get update' once, then rerun the tests." >&2
    exit 2
  fi
fi
parent=$(dirname "$CEPH_ROOT")
mkdir -p "$parent"
work=$(mktemp -d "$parent/.ceph-fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debs" "$work/root"
cd "$work/debs"
echo "fetch-ceph: downloading Ceph packages into $CEPH_ROOT (once per machine)" >&2
apt-get install -s --no-install-recommends ceph-mon ceph-osd radosgw ceph-common | awk '/^Inst/ {print $2}' > pkgs.txt
[ -s pkgs.txt ] || { echo "fetch-ceph: apt-get found no Ceph packages (is the Debian main repository configured?)" >&2; exit 2; }
# apt drops privileges to _apt when root; let it write here.
chown _apt . 2>/dev/null || true
# shellcheck disable=SC2046
apt-get download $(cat pkgs.txt) >&2
for d in *.deb; do dpkg-deb -x "$d" "$work/root"; done
# Publish atomically: a concurrent fetch that finished first wins, ours is discarded.
if [ ! -e "$CEPH_ROOT" ]; then mv "$work/root" "$CEPH_ROOT" || true; fi
[ -x "$CEPH_ROOT/usr/bin/radosgw" ] || { echo "fetch-ceph: unpacking failed; remove $CEPH_ROOT and retry" >&2; exit 2; }
echo "fetch-ceph: unpacked into $CEPH_ROOT" >&2
