#!/usr/bin/env bash
# Source me: the cache folder with the unpacked Ceph packages, and the paths that make its binaries run.
# CEPH_ROOT defaults to a per-user cache outside any clone, so every clone and CI run on a machine shares it.
export CEPH_ROOT=${CEPH_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/s3db-mcp/ceph}
R=$CEPH_ROOT
export LD_LIBRARY_PATH=$R/usr/lib/x86_64-linux-gnu:$R/usr/lib/x86_64-linux-gnu/ceph:$R/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PATH=$R/usr/bin:$R/usr/sbin:$PATH
export PYTHONPATH=$R/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}
