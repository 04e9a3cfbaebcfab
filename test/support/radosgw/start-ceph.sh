#!/usr/bin/env bash
# Single-node Ceph (Debian's packages, unpacked by fetch-ceph.sh) + radosgw on loopback:
# 1 mon (no mgr), 1 memstore OSD (data in RAM), auth none, 1 rgw (beast) -> S3 at http://127.0.0.1:$RGW_PORT
# Credentials: access key "test", secret "testtesttest". ~13 s to first answer, ~0.5 GB RAM.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
D=${CEPH_RUN_DIR:?set CEPH_RUN_DIR to a scratch folder}
MON_PORT=${MON_PORT:-16789} RGW_PORT=${RGW_PORT:-17480}
rm -rf "$D"; mkdir -p "$D"/{run,log,mon,osd,rgw}
FSID=$(cat /proc/sys/kernel/random/uuid)
LIB=$CEPH_ROOT/usr/lib/x86_64-linux-gnu
cat > "$D/ceph.conf" <<CONF
[global]
fsid = $FSID
mon_host = v1:127.0.0.1:$MON_PORT
ms_bind_msgr2 = false
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
run_dir = $D/run
admin_socket = $D/run/\$name.asok
log_file = $D/log/\$name.log
pid_file = $D/run/\$name.pid
plugin_dir = $LIB/ceph
erasure_code_dir = $LIB/ceph/erasure-code
osd_class_dir = $LIB/rados-classes
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_crush_chooseleaf_type = 0
mon_max_pg_per_osd = 1000
[mon]
mon_data = $D/mon/\$cluster-\$id
[osd]
osd_data = $D/osd/\$cluster-\$id
osd_objectstore = memstore
memstore_device_bytes = 2147483648
[client.rgw.a]
rgw_frontends = beast endpoint=127.0.0.1:$RGW_PORT tcp_nodelay=1
rgw_data = $D/rgw
CONF
C="-c $D/ceph.conf"
monmaptool --create --addv a "[v1:127.0.0.1:$MON_PORT]" --fsid "$FSID" "$D/monmap" >/dev/null
ceph-mon $C --mkfs -i a --monmap "$D/monmap"
ceph-mon $C -i a 2>>"$D/log/mon-start.log"
UUID=$(cat /proc/sys/kernel/random/uuid)
ID=$(timeout 60 ceph $C osd new "$UUID")
mkdir -p "$D/osd/ceph-$ID"
ceph-osd $C -i "$ID" --mkfs --osd-uuid "$UUID" 2>>"$D/log/mkfs.log"
# The OSD can race its first monmap and get "wrong fsid" from the monitor (seen ~1 run in 4): retry.
started=0
for attempt in 1 2 3 4; do
  if ceph-osd $C -i "$ID" 2>>"$D/log/osd-start.log"; then started=1; break; fi
  echo "start-ceph: ceph-osd start attempt $attempt failed; retrying" >&2
  sleep 1
done
[ $started = 1 ] || { echo "start-ceph: ceph-osd would not start; see $D/log/osd-start.log" >&2; exit 1; }
up=0
for _ in $(seq 1 120); do if timeout 10 ceph $C osd stat 2>/dev/null | grep -q "1 up"; then up=1; break; fi; sleep 0.5; done
[ $up = 1 ] || { echo "start-ceph: the OSD did not come up; see $D/log" >&2; exit 1; }
radosgw $C -n client.rgw.a 2>>"$D/log/rgw-start.log"
up=0
for _ in $(seq 1 240); do if (exec 3<>"/dev/tcp/127.0.0.1/$RGW_PORT") 2>/dev/null; then up=1; break; fi; sleep 0.5; done
[ $up = 1 ] || { echo "start-ceph: radosgw did not answer on port $RGW_PORT; see $D/log/client.rgw.a.log" >&2; exit 1; }
radosgw-admin $C user create --uid=test --display-name=test --access-key=test --secret=testtesttest >/dev/null
echo "radosgw answering on http://127.0.0.1:$RGW_PORT" >&2
