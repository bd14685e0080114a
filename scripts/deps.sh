#!/usr/bin/env bash
# Installs the Debian 12 packages dissent needs, only those missing.
#   scripts/deps.sh          build and run
#   scripts/deps.sh test     also what the tests need (Chromium, curl, Node.js)
#   scripts/deps.sh wasm     what `make wasm` needs (clang's wasm32 target, lld,
#                            wasi-libc, cmake and python3 for libdecaf's sources)
# Works as root or as a user with sudo; does nothing when all are present.
set -euo pipefail

pkgs=(gcc make pkg-config libc6-dev libmicrohttpd-dev libjansson-dev libsqlite3-dev
      libsodium-dev libdecaf-dev libcurl4-openssl-dev libcmark-dev libpq-dev libcmocka-dev liboath-dev)
if [ "${1:-}" = "wasm" ]; then
  pkgs=(clang-14 lld-14 llvm-14 wasi-libc libclang-rt-14-dev-wasm32 cmake python3 curl ca-certificates)
fi
if [ "${1:-}" = "test" ]; then
  pkgs+=(curl sqlite3 chromium postgresql clang clang-format libclang-rt-14-dev oathtool
         clang-14 lld-14 llvm-14 wasi-libc libclang-rt-14-dev-wasm32 cmake python3
         golang-go golang-golang-x-mod-dev python3-aiosmtpd openssl valgrind)
  command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
  command -v npm >/dev/null 2>&1 || pkgs+=(npm)
fi

missing=()
for p in "${pkgs[@]}"; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$st" in *"ok installed"*) ;; *) missing+=("$p") ;; esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "dissent: installing missing packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "dissent: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
