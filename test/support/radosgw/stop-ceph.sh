#!/usr/bin/env bash
# Stop the daemons start-ceph.sh started, by their pid files (rgw, osd, then mon), then remove the run dir.
D=${CEPH_RUN_DIR:?set CEPH_RUN_DIR}
pids=()
for n in client.rgw.a osd.0 mon.a; do
  f="$D/run/$n.pid"
  if [ -f "$f" ]; then p=$(cat "$f"); kill "$p" 2>/dev/null && pids+=("$p"); fi
done
for _ in $(seq 1 40); do
  alive=0
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
  [ $alive = 0 ] && break
  sleep 0.25
done
for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
rm -rf "$D"
exit 0
