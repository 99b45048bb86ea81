#!/usr/bin/env bash
# The compute splatter's two ways of summing (`--sums direct|workgroup`), side by side on one
# adapter, at 1080p with and without supersampling: where workgroup memory starts to pay sets
# `SHARED_MIN_DOTS_PER_PX` (src/render/splat_compute.rs). One JSON file per (SSAA, sums).
# Usage: OUT=dir [SCALP=path] [DOTS=1e6,1e7,3e7,1e8] [SIZES=1920x1080] [FRAMES=10] benches/gpu-sums.sh
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
scalp="${SCALP:-$root/target/release/scalp}"
out="${OUT:-$root/gpu-sums}"
mkdir -p "$out"
export SCALP_GPU_MEMORY_MB="${SCALP_GPU_MEMORY_MB:-100000}"
for ssaa in 2 1; do
    for sums in direct workgroup; do
        echo "== ssaa $ssaa, sums $sums" | tee -a "$out/sums.log"
        timeout 240 "$scalp" bench --dots "${DOTS:-1e6,1e7,3e7,1e8}" --sizes "${SIZES:-1920x1080}" \
            --paths compute --ssaa "$ssaa" --sums "$sums" --frames "${FRAMES:-10}" --warmup 2 \
            --json >"$out/ssaa$ssaa-$sums.json" 2>>"$out/sums.log"
        python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["dots"], r["width"], r["supersampling"], r["workgroup_sums"], "splat", r["splat_ms"], "frame p50", r["frame_ms_p50"], "gen", r["generate_ms"])
' "$out/ssaa$ssaa-$sums.json" | tee -a "$out/sums.log"
    done
done
