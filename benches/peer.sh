#!/usr/bin/env bash
# Dot generation beside a peer on the same machine, in one run: `scalp bench` (GPU timestamps of
# the generation) and Blender's Geometry Nodes Poisson-disk distribution on the same head at the
# same point count. Blender is run only when it is installed.
# Usage: benches/peer.sh [DOTS] (default 1000000). Needs a release build (cargo build --release).
set -euo pipefail
dots=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
# SCALP=path runs another build (a before-and-after of one change).
scalp="${SCALP:-$root/target/release/scalp}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$scalp" bench --dots "$dots" --sizes 320x240 --frames 1 --paths raster --json >"$work/bench.json"
read -r s_dots s_ms < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
rows = r["results"]
row = rows[0]
print(row["dots"], row["generate_ms"])' "$work/bench.json")
s_rate=$(python3 -c "print(f'{$s_dots / ($s_ms / 1e3):.3g}')")

echo "| generator | points | seconds | points/s |"
echo "|---|---:|---:|---:|"
echo "| scalp (\`scalp bench\`, hard-core spacing 0.6) | $s_dots | $(python3 -c "print(f'{$s_ms/1e3:.3f}')") | $s_rate |"

if command -v blender >/dev/null; then
    "$scalp" sculpt --out "$work" >/dev/null
    line=$(blender -b --factory-startup --python "$root/benches/blender_poisson.py" -- \
        "$work/head.obj" "$dots" 0.6 2>/dev/null | grep '^blender_points=')
    b_n=$(sed 's/.*blender_points=\([0-9]*\).*/\1/' <<<"$line")
    b_s=$(sed 's/.*blender_s=\([0-9.]*\).*/\1/' <<<"$line")
    b_rate=$(python3 -c "print(f'{$b_n / $b_s:.3g}')")
    echo "| Blender $(blender --version 2>/dev/null | head -1 | awk '{print $2}') Distribute Points on Faces, Poisson Disk (whole head) | $b_n | $b_s | $b_rate |"
    python3 -c "print(f'scalp / Blender: {($s_dots / ($s_ms / 1e3)) / ($b_n / $b_s):.2f}x')"
else
    echo "(blender is not installed: no peer figure)"
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
