#!/usr/bin/env bash
# Installs the system packages the test suite uses (network tools for probe and kernel tests, nmap for the
# benchmark, neovim for the other-editor test, chromium for the offline VS Code tests). Idempotent; needs root
# and Debian's apt. Without them the tests that need these tools skip with a message.
set -u
pkgs=(iproute2 iptables nftables nmap neovim chromium)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then echo "setup-test-deps: all present (${pkgs[*]})"; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup-test-deps: cannot install ${missing[*]} (need root and apt-get); tests that need them will skip"
  exit 0
fi
echo "setup-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || echo "setup-test-deps: apt-get update failed"
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
  || echo "setup-test-deps: apt-get install failed for some of ${missing[*]}; dependent tests will skip"
exit 0
