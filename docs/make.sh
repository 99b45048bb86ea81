#!/usr/bin/env bash
# Regenerates every picture in docs/ (run from the repository root).
set -euo pipefail
scalp() { cargo run --release --quiet -- "$@"; }
# The default client: Norwood 6, razor-shaved fringe, SMP matched to it; and the bald full head.
scalp render --out docs/scalp.png
scalp render --plan assets/plans/full-head.toml --size 640x480 --out docs/full-head.png
# Where the SMP of the top meets the razor-shaved side, as a 20x trichoscope and at 30 mm.
scalp render --view left --magnification 20x --size 640x480 --out docs/side-20x.png
scalp render --view left --field-mm 30 --size 640x480 --out docs/side-30mm.png
scalp render --show exposure --view back --size 640x480 --out docs/exposure.png
scalp age --view top --years 0.2,1,3,5,10,15 --size 320x240 --out docs/sheet.png --chart docs/fading.png
scalp render --before-after --size 640x480 --out docs/before_after.png
scalp render --hair --light daylight --view left --size 960x720 --out docs/hair.png
scalp gallery --out docs/gallery
docs/make_trainers.sh
# The viewer's window (3D view and panel) on a virtual X server; needs Xvfb (apt-get install xvfb).
xvfb-run -a -s "-screen 0 1400x900x24" cargo run --release --quiet -- \
    view --hair --split 0.42 --size 1240x760 --screenshot-after 3 --out docs/viewer.png
# Clinical cases (assets/plans/).
scalp render --plan assets/plans/alopecia-areata.toml --view top --size 640x480 --out docs/alopecia.png
scalp render --plan assets/plans/diffuse-thinning.toml --view top --size 640x480 --out docs/thinning.png
# Close up on the top: the dots sit between the remaining hairs, never on a root.
scalp render --plan assets/plans/diffuse-thinning.toml --view top --field-mm 16 --size 640x480 --out docs/thinning-closeup.png
scalp render --plan assets/plans/hairline-design.toml --view front --zoom 1.8 --light flash --size 640x480 --out docs/hairline-design.png
scalp render --plan assets/plans/strip-scar.toml --view back --zoom 2.2 --before-after --size 800x600 --out docs/strip-scar.png
scalp render --plan assets/plans/fue-scars.toml --view back --zoom 2.5 --before-after --size 800x600 --out docs/fue-scars.png
scalp render --plan assets/plans/custom-zones.toml --view top --zoom 1.8 --size 640x480 --out docs/custom-zones.png
scalp age --plan assets/plans/dated-sessions.toml --view top --years 0.049,0.137,0.164,0.246 --size 320x240 --out docs/sessions.png
