#!/usr/bin/env bash
# Issue 17 part 5 on a real GPU, as one script (a lent GPU machine's time is short): the sweep
# 10⁴–10⁸ dots at 1080p and 4K on both splatting paths with generation, the first run's cold
# pipeline cost, 10⁷ and 10⁸ dots generated and drawn in one command with peak memory, and one
# 1080p picture to compare with the CPU driver's. Every step has its own time limit, so a slow
# step costs only itself; results land in $OUT as they come.
# Usage: OUT=dir [SCALP=path] [SWEEP_DOTS=1e4,…] [BIG_DOTS=1e8] [BIG_PATHS=compute]
#        [BANDWIDTH_GBS=4300] [SIZES=…] [FRAMES=20] benches/gpu-sweep.sh
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
scalp="${SCALP:-$root/target/release/scalp}"
out="${OUT:-$root/gpu-sweep}"
mkdir -p "$out"
sweep_dots="${SWEEP_DOTS:-1e4,1e5,1e6,1e7}"
big_dots="${BIG_DOTS:-1e8}"
sizes="${SIZES:-1920x1080,3840x2160}"
frames="${FRAMES:-20}"
# Paths of the largest count (raster at 10⁸ dots takes ~2 s a frame on an H200).
big_paths="${BIG_PATHS:-raster,compute}"
# Memory bandwidth for the per-pass lower bounds (an H200 copies ~4300 GB/s: KINDS.md).
bandwidth=${BANDWIDTH_GBS:+--bandwidth-gbs $BANDWIDTH_GBS}
# A discrete GPU's default budget (12 GiB) is below what 10⁸ dots and their appearances take.
export SCALP_GPU_MEMORY_MB="${SCALP_GPU_MEMORY_MB:-100000}"
log="$out/sweep.log"

# Runs "$@" under a time limit, logs its wall time and the peak resident memory of the command.
step() {
    local name=$1 limit=$2
    shift 2
    echo "== $name: $*" | tee -a "$log"
    python3 - "$limit" "$@" <<'EOF' 2>&1 | tee -a "$log"
import resource, subprocess, sys, time
limit = float(sys.argv[1])
t = time.time()
try:
    rc = subprocess.run(sys.argv[2:], timeout=limit).returncode
except subprocess.TimeoutExpired:
    rc = "timed out"
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6
print(f"-- rc {rc}, {time.time() - t:.2f} s wall, peak resident {peak:.2f} GB", flush=True)
EOF
}

{
    date -u
    "$scalp" adapters
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv
} 2>&1 | tee -a "$log"
# GPU memory in use, sampled through the whole script (its maximum is the peak).
if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=timestamp,memory.used,utilization.gpu --format=csv,noheader -lms 250 >"$out/gpu-memory.csv" &
    smi=$!
    trap 'kill $smi 2>/dev/null' EXIT
fi

cache=$(mktemp -d)
step "first run, cold pipeline cache" 60 env SCALP_CACHE_DIR="$cache" "$scalp" render --dots 10000 --size 320x240 --out "$out/first.png"
step "second run, warm" 30 env SCALP_CACHE_DIR="$cache" "$scalp" render --dots 10000 --size 320x240 --out "$out/first.png"
step "sweep" 150 sh -c "'$scalp' bench --dots $sweep_dots --sizes $sizes --frames $frames $bandwidth --json >'$out/sweep.json'"
step "sweep, $big_dots dots" 200 sh -c "'$scalp' bench --dots $big_dots --sizes $sizes --paths $big_paths --frames $((frames / 2 > 0 ? frames / 2 : 1)) $bandwidth --json >'$out/sweep-big.json'"
step "1e7 dots in one command" 60 "$scalp" render --dots 1e7 --plan "$root/assets/plans/full-head.toml" --size 1920x1080 --out "$out/1e7.png"
step "$big_dots dots in one command" 150 "$scalp" render --dots "$big_dots" --plan "$root/assets/plans/full-head.toml" --size 1920x1080 --out "$out/big.png"
step "the default client at 1080p" 30 "$scalp" render --size 1920x1080 --out "$out/client-1080p.png"
if [ -s "$out/gpu-memory.csv" ]; then
    awk -F', ' '{ sub(/ MiB/, "", $2); if ($2 + 0 > m + 0) m = $2 + 0 } END { print "peak GPU memory in use: " m " MiB" }' "$out/gpu-memory.csv" | tee -a "$log"
fi
