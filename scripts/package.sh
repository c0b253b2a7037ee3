#!/usr/bin/env bash
# Builds the .vsix: minified bundles, then `vsce package --no-dependencies` (the bundles carry every dependency;
# .vscodeignore keeps only dist/*.js, syntaxes/, images/icon.png, docs/diagnostics/, README, CHANGELOG, LICENSE).
# Usage: scripts/package.sh [-o out.vsix]   (default: portcullis-<version>.vsix in the repo root)
# Afterwards dist/ is rebuilt unminified (with source maps) for development, unless PORTCULLIS_KEEP_MINIFIED=1.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(node -p "require('./package.json').version")
out="portcullis-${version}.vsix"
if [ "${1:-}" = "-o" ] && [ -n "${2:-}" ]; then out="$2"; fi
node esbuild.mjs --minify
rm -f dist/*.map
npx --no-install vsce package --no-dependencies -o "$out" </dev/null
if [ "${PORTCULLIS_KEEP_MINIFIED:-0}" != 1 ]; then node esbuild.mjs; fi
bytes=$(wc -c <"$out")
echo "package: $out ($(( (bytes + 1023) / 1024 )) KiB)"
