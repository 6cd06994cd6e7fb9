#!/usr/bin/env bash
# ci/common.sh — helpers shared by the CI jobs in ci/. Source it; do not run it.
#
#   braid_require_packages   installs the Debian packages the jobs need, if missing
#   braid_configure PRESET   cmake --preset PRESET
#   braid_build PRESET       cmake --build --preset PRESET
#   braid_ctest PRESET       ctest --preset PRESET -LE "long|browser"
#   braid_log MSG            a timestamped line on stderr
set -euo pipefail

BRAID_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BRAID_ROOT
cd "$BRAID_ROOT"

# Every package any job needs; each job checks them all (cheap when installed).
BRAID_PACKAGES=(
  cmake ninja-build g++ clang-14 libclang-rt-14-dev llvm-14
  libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev
  libboost-context-dev libcli11-dev libfmt-dev nlohmann-json3-dev python3
)

# CI runs on 2 cores; builds and ctest use both unless told otherwise.
BRAID_JOBS="${BRAID_JOBS:-2}"

braid_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

braid_sudo() {
  if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# braid_require_packages [pkg...]: installs whichever of the packages (default:
# BRAID_PACKAGES) dpkg does not report as installed. One `apt-get update` at most.
braid_require_packages() {
  local pkgs=("$@")
  ((${#pkgs[@]})) || pkgs=("${BRAID_PACKAGES[@]}")
  local missing=() p
  for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
      missing+=("$p")
    fi
  done
  ((${#missing[@]})) || return 0
  braid_log "installing missing packages: ${missing[*]}"
  braid_sudo env DEBIAN_FRONTEND=noninteractive apt-get update
  braid_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# braid_configure PRESET [cmake args...]: cmake --preset PRESET. The sanitizer
# presets build with clang++-14, as CMakePresets.json says; a build dir left
# configured with another compiler (older ci/ scripts chose one) is reset first.
braid_configure() {
  local preset="$1"; shift
  local dir="$BRAID_ROOT/build-$preset" cached
  if [[ "$preset" != default && -f "$dir/CMakeCache.txt" ]]; then
    cached="$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$dir/CMakeCache.txt")"
    if [[ -n "$cached" && "$(basename "$cached")" != clang++-14 && "$cached" != "$(command -v clang++-14)" ]]; then
      braid_log "compiler changed ($cached -> clang++-14): resetting $dir"
      rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
    fi
  fi
  cmake --preset "$preset" "$@"
}

# braid_build PRESET [targets...]: builds PRESET (all targets unless named).
braid_build() {
  local preset="$1"; shift
  local targets=()
  local t
  for t in "$@"; do targets+=(--target "$t"); done
  cmake --build --preset "$preset" -j"$BRAID_JOBS" "${targets[@]}"
}

# braid_ctest PRESET [ctest args...]: runs the preset's tests without the slow
# `long` label and without the `browser` label (ci/browser runs those: they
# need Chromium).
braid_ctest() {
  local preset="$1"; shift
  ctest --preset "$preset" -LE 'long|browser' "$@"
}
