#!/usr/bin/env bash
# Installs whatever is missing, then builds. Used by `npm start` and `npm test` (and CI):
#   - Debian packages (only on a root Debian machine): libpcap-dev (libpcap, which live
#     capture calls through koffi), and for tests tshark (the reference), tcpdump,
#     openvpn (the tunnel's interop peer), iproute2, dnsmasq, dig, curl, openssl (s_client), ping;
#   - npm packages (npm install; koffi ships prebuilt binaries, nothing is compiled);
#   - the TypeScript build (dist/), and the CLI bundled into one file (dist/src/cli/nestcap.js).
# Usage: scripts/setup.sh [start|test|build]   (build: only the TypeScript build)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-start}"

need=()
if [ "$what" != build ]; then
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
pkgs=(libpcap-dev)
if [ "$what" = test ]; then pkgs+=(tshark tcpdump iproute2 dnsmasq dnsutils curl openssl iputils-ping openvpn); fi
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${pkgs[@]}"; do have "$p" || need+=("$p"); done
fi
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "setup: missing Debian packages (${need[*]}); install them with: sudo apt-get install ${need[*]}" >&2
  fi
fi

# npm packages: install when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm install" >&2
  npm install --no-audit --no-fund --loglevel=error >&2
fi

fi

# Build when any source is newer than the build.
stamp=dist/.built
if [ ! -f "$stamp" ] || [ ! -f dist/src/cli/nestcap.js ] || [ -n "$(find src dissectors tsconfig.json package.json scripts/bundle.mjs -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "setup: building (tsc, then the one-file CLI bundle)" >&2
  npx tsc -p tsconfig.json
  node scripts/bundle.mjs
  touch "$stamp"
fi
