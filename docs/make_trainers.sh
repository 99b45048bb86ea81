#!/usr/bin/env bash
# Regenerates the trainer's page pictures and numbers in docs/errors/ (run from the repository
# root): one sheet per technique error (correct beside erroneous work), and the metrics that
# show each error in docs/errors/metrics.txt. See docs/trainers.md. One sheet with every error:
# `scalp compare --all-errors --out all.png` (not kept in docs/: ~3 MB).
set -euo pipefail
scalp() { cargo run --release --quiet -- "$@"; }
out=docs/errors
mkdir -p "$out"
: > "$out/metrics.txt"
# Correct work is the trainers' reference, the bald full head (100 dots/cm², 0.14 mm), as in
# tests/gpu/errors.rs and darkening.rs, unless a pair gives its own plan.
pair() {
    local name=$1
    shift
    [[ " $* " == *" --plan "* ]] || set -- --plan assets/plans/full-head.toml "$@"
    echo "# scalp compare --error $name $*" >> "$out/metrics.txt"
    scalp compare --error "$name" --size 360x270 --out "$out/$name.png" "$@" >> "$out/metrics.txt"
    echo >> "$out/metrics.txt"
}
# Healed (four weeks after the last session) and five years on, unless the error needs others.
pair oversized
pair too-deep
pair too-shallow --years 0,0.5
pair over-saturation
pair grid-spacing
pair harsh-hairline
pair wrong-shade --plan docs/errors/light-hair.toml
pair patchy-density
pair asymmetry
# Healed (ten weeks) and two years on, when too-light work has all but gone.
pair too-light --years 0.19,2
