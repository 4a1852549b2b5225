#!/usr/bin/env bash
# Installs the Debian 12 packages Plumb builds and tests with. Run as root (or it uses sudo).
#   avr toolchain: gcc-avr avr-libc binutils-avr     wasm2c and wasm-objdump: wabt
#   simulator: simavr libsimavr-dev libelf-dev gcc   serial hosts for tests: printrun socat
#   flashing a real board: avrdude
set -euo pipefail
PACKAGES=(gcc-avr avr-libc binutils-avr wabt simavr libsimavr-dev libsimavrparts1 libelf-dev gcc libc6-dev make
  python3 printrun socat avrdude)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "Plumb needs Node.js 20 or later (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "Debian 12's own nodejs is 18; install Node 20 from https://nodejs.org or NodeSource." >&2
  exit 1
fi
echo "Debian packages installed; node $(node --version)"
