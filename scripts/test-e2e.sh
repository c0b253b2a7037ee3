#!/usr/bin/env bash
# End-to-end tests in a real VS Code extension host (test/e2e/), called by scripts/test.sh.
#   1. offline harness ../shared/tools/vscode-e2e (code-server's VS Code + Debian chromium), when ../shared and
#      chromium are there: the suite on the development folder, then the packaged .vsix installed and checked;
#   2. else @vscode/test-electron, when VS Code can be downloaded and there is a display (or xvfb-run);
#   3. else prints "e2e: SKIPPED — reason" and exits 0. It never fails because the harness cannot be set up.
# The last line is "e2e: N passed, N failed, N skipped" when tests ran.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
harness="$(dirname "$repo")/shared/tools/vscode-e2e"
chromium="${VSCODE_E2E_CHROMIUM:-/usr/bin/chromium}"
skip() { echo "e2e: SKIPPED — $*"; exit 0; }

node esbuild.mjs || { echo "e2e: build failed"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-e2e.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ws="$tmp/workspace"
cp -r test/e2e/workspace "$ws"
export PORTCULLIS_E2E_METRICS="$repo/bench/results/e2e-activation.json"

passed=0 failed=0 skipped=0
# Adds the counts from the harness's closing "N passed, N failed[, N skipped]" line of a log.
count() {
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
  if [ -z "$line" ]; then failed=$((failed + 1)); echo "e2e: $2 produced no result line (counted as 1 failure)"; return; fi
  passed=$((passed + $(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")))
  failed=$((failed + $(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")))
  if grep -q skipped <<<"$line"; then skipped=$((skipped + $(sed -E 's/.*, ([0-9]+) skipped.*/\1/' <<<"$line"))); fi
}

if [ -d "$harness" ] && [ -x "$chromium" ]; then
  start=$SECONDS
  echo "e2e: offline harness $harness"
  if ! bash "$harness/setup.sh" >"$tmp/setup.log" 2>&1; then
    tail -5 "$tmp/setup.log"
    skip "the offline VS Code harness could not be set up (see output above)"
  fi
  status=0
  echo "e2e: suite on the development folder"
  node "$harness/run-tests.mjs" --extensionDevelopmentPath "$repo" --extensionTestsPath "$repo/test/e2e/index.js" \
    --workspace "$ws" --timeout 150 --env "PORTCULLIS_E2E_METRICS=$PORTCULLIS_E2E_METRICS" 2>&1 | tee "$tmp/dev.log"
  rc=${PIPESTATUS[0]}
  case $rc in 2|3) skip "the offline harness could not start (exit $rc)";; esac
  [ "$rc" = 0 ] || status=1
  count "$tmp/dev.log" "the development-folder run"

  echo "e2e: restricted mode (workspace trust on, folder untrusted)"
  # The harness always starts code-server with --disable-workspace-trust; this run uses a copy without that flag
  # (the script is self-contained) so the folder opens untrusted, in restricted mode.
  sed '/--disable-workspace-trust/d' "$harness/run-tests.mjs" >"$tmp/run-tests-untrusted.mjs"
  node "$tmp/run-tests-untrusted.mjs" --extensionDevelopmentPath "$repo" --extensionTestsPath "$repo/test/e2e/index.js" \
    --workspace "$ws" --timeout 120 --settings "$repo/test/e2e/untrusted-settings.json" --env PORTCULLIS_E2E_SUITES=untrusted 2>&1 | tee "$tmp/untrusted.log"
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
  count "$tmp/untrusted.log" "the restricted-mode run"

  echo "e2e: packaged .vsix installed into code-server"
  if bash scripts/package.sh -o "$tmp/portcullis.vsix" >"$tmp/package.log" 2>&1; then
    grep '^package:' "$tmp/package.log"
    node "$harness/run-tests.mjs" --extensionDevelopmentPath "$repo/test/e2e/vsix-host" --install-extension "$tmp/portcullis.vsix" \
      --extensionTestsPath "$repo/test/e2e/index.js" --workspace "$ws" --timeout 120 --env PORTCULLIS_E2E_SUITES=vsix 2>&1 | tee "$tmp/vsix.log"
    rc=${PIPESTATUS[0]}
    [ "$rc" = 0 ] || status=1
    count "$tmp/vsix.log" "the .vsix run"
  else
    cat "$tmp/package.log"; echo "e2e: packaging failed"; status=1; failed=$((failed + 1))
  fi
  echo "e2e: offline harness took $((SECONDS - start)) s"
  echo "e2e: $passed passed, $failed failed, $skipped skipped"
  exit $status
fi

reason="no offline harness at $harness"
[ -d "$harness" ] && reason="chromium not found at $chromium (scripts/setup-test-deps.sh installs it)"

# @vscode/test-electron: needs to download VS Code and a display.
runner=()
if [ -n "${DISPLAY:-}" ]; then runner=(); elif command -v xvfb-run >/dev/null; then runner=(xvfb-run -a); else skip "$reason; no display or xvfb-run for @vscode/test-electron"; fi
if ! timeout 180 node -e "require('@vscode/test-electron').downloadAndUnzipVSCode(process.env.PORTCULLIS_E2E_VSCODE_VERSION || 'stable').then(() => process.exit(0), () => process.exit(1))" >"$tmp/download.log" 2>&1; then
  skip "$reason; VS Code could not be downloaded for @vscode/test-electron"
fi
"${runner[@]}" node test/e2e/run-electron.js 2>&1 | tee "$tmp/electron.log"
rc=${PIPESTATUS[0]}
count "$tmp/electron.log" "the test-electron run"
echo "e2e: $passed passed, $failed failed, $skipped skipped"
exit $rc
