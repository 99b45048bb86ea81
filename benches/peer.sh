#!/usr/bin/env bash
# scalp beside a peer on the same machine, in one run. Generation: `scalp bench` (the candidates'
# layout on the CPU plus the generation on the GPU, wall clock) and Blender's Geometry Nodes Poisson-disk distribution on the same head at
# the same point count. A frame: `scalp bench`'s frame p50 at 1280×960 (2× supersampling,
# compute path) and Blender Cycles at one sample a pixel, same head, same number of points
# (blender_cycles.py): scalp's frame without the client's own hair (--no-hair), as Cycles'
# scene has none; the frame with it, scalp's own, is printed beside. Blender is run only when
# it is installed.
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
print(row["dots"], row["layout_ms"] + row["generate_ms"])' "$work/bench.json")
s_rate=$(python3 -c "print(f'{$s_dots / ($s_ms / 1e3):.3g}')")

echo "| generator | points | seconds | points/s |"
echo "|---|---:|---:|---:|"
echo "| scalp (\`scalp bench\` layout + generation, hard-core spacing 0.6) | $s_dots | $(python3 -c "print(f'{$s_ms/1e3:.3f}')") | $s_rate |"

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

"$scalp" bench --dots "$dots" --sizes 1280x960 --paths compute --frames 5 --warmup 1 --no-hair \
    --json >"$work/frame.json"
"$scalp" bench --dots "$dots" --sizes 1280x960 --paths compute --frames 5 --warmup 1 --json \
    >"$work/frame-hair.json"
frame() {
    python3 -c '
import json, sys
row = json.load(open(sys.argv[1]))["results"][0]
print(row["dots"], row["frame_ms_p50"], row["supersampling"], row["hair_ms"] or 0)' "$1"
}
read -r f_dots f_ms f_ss _ < <(frame "$work/frame.json")
read -r _ h_ms _ h_hair < <(frame "$work/frame-hair.json")
echo
echo "| renderer, 1280×960 | points | seconds a frame |"
echo "|---|---:|---:|"
echo "| scalp (\`scalp bench\` frame p50, compute path, ${f_ss}× supersampling, bare scalp) | $f_dots | $(python3 -c "print(f'{$f_ms/1e3:.3f}')") |"
echo "| scalp, the client's own hair drawn too (its pass $(python3 -c "print(f'{$h_hair/1e3:.3f}')") s) | $f_dots | $(python3 -c "print(f'{$h_ms/1e3:.3f}')") |"
if command -v blender >/dev/null; then
    line=$(blender -b --factory-startup --python "$root/benches/blender_cycles.py" -- \
        "$work/head.obj" "$dots" 0.6 1280 960 2>/dev/null | grep '^cycles_points=')
    c_n=$(sed 's/.*cycles_points=\([0-9]*\).*/\1/' <<<"$line")
    c_s=$(sed 's/.*cycles_s=\([0-9.]*\).*/\1/' <<<"$line")
    c_first=$(sed 's/.*cycles_first_s=\([0-9.]*\).*/\1/' <<<"$line")
    echo "| Blender $(blender --version 2>/dev/null | head -1 | awk '{print $2}') Cycles, 1 sample a pixel, CPU (first render $c_first s) | $c_n | $c_s |"
    python3 -c "print(f'Cycles / scalp: {$c_s / ($f_ms / 1e3):.2f}x')"
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
