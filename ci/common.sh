#!/usr/bin/env bash
# ci/common.sh — helpers shared by the CI jobs in ci/. Source it; do not run it.
#
#   braid_require_packages   installs the Debian packages the jobs need, if missing
#   braid_sanitizer_cxx      picks a C++20-capable compiler for the sanitizer presets
#   braid_configure PRESET   cmake --preset PRESET (plus compiler override, if any)
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

# braid_cxx_ok CXX: true if CXX compiles and links a C++20 program that uses
# <source_location> (braid's headers need it; clang 14 with libstdc++ 12 lacks it).
braid_cxx_ok() {
  command -v "$1" >/dev/null 2>&1 || return 1
  local tmp rc
  tmp="$(mktemp -d)"
  printf '%s\n' '#include <source_location>' \
    'int main() { return std::source_location::current().line() == 0; }' >"$tmp/probe.cc"
  "$1" -std=c++20 "$tmp/probe.cc" -o "$tmp/probe" >/dev/null 2>&1 && rc=0 || rc=1
  rm -rf "$tmp"
  return "$rc"
}

# braid_sanitizer_cxx: prints the compiler the sanitizer presets should use: the
# presets' clang++-14 when it can compile braid, else the first of clang++-16,
# clang++-15, g++ that can (BRAID_SAN_CXX forces one).
braid_sanitizer_cxx() {
  if [[ -n "${BRAID_SAN_CXX:-}" ]]; then echo "$BRAID_SAN_CXX"; return; fi
  local c
  for c in clang++-14 clang++-16 clang++-15 g++; do
    if braid_cxx_ok "$c"; then echo "$c"; return; fi
  done
  echo clang++-14
}

# braid_configure PRESET [cmake args...]: configures PRESET. The sanitizer presets
# get the compiler from braid_sanitizer_cxx; a build dir configured with another
# compiler is reset first.
braid_configure() {
  local preset="$1"; shift
  local args=()
  if [[ "$preset" == tsan || "$preset" == asan ]]; then
    local cxx dir cached
    cxx="$(braid_sanitizer_cxx)"
    if [[ "$cxx" != clang++-14 ]]; then
      braid_log "note: clang++-14 cannot compile <source_location> with this libstdc++; the $preset job uses $cxx"
    fi
    args+=("-DCMAKE_CXX_COMPILER=$cxx")
    dir="$BRAID_ROOT/build-$preset"
    if [[ -f "$dir/CMakeCache.txt" ]]; then
      cached="$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$dir/CMakeCache.txt")"
      if [[ -n "$cached" && "$(basename "$cached")" != "$cxx" && "$cached" != "$(command -v "$cxx")" ]]; then
        braid_log "compiler changed ($cached -> $cxx): resetting $dir"
        rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
      fi
    fi
  fi
  cmake --preset "$preset" "${args[@]}" "$@"
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
# `long` label.
braid_ctest() {
  local preset="$1"; shift
  ctest --preset "$preset" -LE long "$@"
}
