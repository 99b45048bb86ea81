#!/bin/sh
# Builds the offline page's viewer script, assets/viewer/viewer.js (committed: the scalp binary
# embeds it, so building scalp needs no node). Run it after changing tools/viewer/main.js or the
# three.js version in tools/package.json:
#     tools/build-viewer-bundle.sh
# It installs the pinned packages (three, esbuild) into tools/node_modules with `npm ci`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
[ -d node_modules/three ] && [ -x node_modules/.bin/esbuild ] || npm ci --no-audit --no-fund
node_modules/.bin/esbuild viewer/main.js --bundle --minify --format=iife --target=es2020 \
  --legal-comments=none --charset=utf8 \
  --banner:js="/* scalp offline viewer. three.js $(node -p "require('./node_modules/three/package.json').version") (MIT, https://threejs.org). Built by tools/build-viewer-bundle.sh. */" \
  --outfile=../assets/viewer/viewer.js
echo "wrote assets/viewer/viewer.js ($(wc -c < ../assets/viewer/viewer.js) bytes)"
