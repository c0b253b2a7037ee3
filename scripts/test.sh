#!/usr/bin/env bash
# The whole test suite: system deps, build, typecheck + compile, unit, LSP, then end-to-end where possible.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-test-deps.sh
node esbuild.mjs
rm -rf out && npx tsc -p .
# Lint: typescript-eslint's recommended rules and lines of at most 140 characters (eslint.config.mjs).
npx eslint .
node --test --test-reporter=spec --test-concurrency=2 out/test/unit/ out/test/lsp/
if [ -f scripts/test-e2e.sh ]; then bash scripts/test-e2e.sh; fi
