#!/usr/bin/env bash
# Compile check of the Windows code path with the mingw-w64 cross compiler.
#
# There is no Windows machine in this workplace, so this only proves that the
# sources binding.gyp uses on Windows compile (and are warning-free) against
# the real Win32 headers. It builds object files only: linking a .node needs
# node.lib. MSVC-only diagnostics (/W4 /sdl) are not covered.
#
# Environment:
#   SCT_SKIP_INSTALL=1  never try to install the cross compiler (fail instead)
#   SCT_VERBOSE=1       show apt-get output instead of hiding it
#   CXX_WIN=...         cross compiler to use (default: x86_64-w64-mingw32-g++-posix
#                       if present, else x86_64-w64-mingw32-g++)
#   NODE_INCLUDE_DIR=.. Node's headers (default /usr/include/node or node's prefix)
#
# Debian's plain x86_64-w64-mingw32-g++ is the "win32" thread model, whose
# libstdc++ (GCC < 13) has no std::mutex; napi.h needs it. The "-posix"
# variant (installed alongside by the same package) has it, as MSVC does.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

APT_PKG="g++-mingw-w64-x86-64"

pick_compiler() {
  if [[ -n "${CXX_WIN:-}" ]]; then
    command -v "$CXX_WIN" >/dev/null 2>&1 || die "CXX_WIN=$CXX_WIN not found"
    return 0
  fi
  local c
  for c in x86_64-w64-mingw32-g++-posix x86_64-w64-mingw32-g++; do
    if command -v "$c" >/dev/null 2>&1; then
      CXX_WIN="$c"
      return 0
    fi
  done
  CXX_WIN=x86_64-w64-mingw32-g++
  return 1
}

die() {
  echo "check-windows: $*" >&2
  exit 2
}

run_quiet() {
  if [[ "${SCT_VERBOSE:-0}" == "1" ]]; then
    "$@"
  else
    local log
    log="$(mktemp)"
    if ! "$@" >"$log" 2>&1; then
      cat "$log" >&2
      rm -f "$log"
      return 1
    fi
    rm -f "$log"
  fi
}

# --- toolchain --------------------------------------------------------------
if ! pick_compiler; then
  if [[ "${SCT_SKIP_INSTALL:-0}" == "1" ]]; then
    die "$CXX_WIN not found and SCT_SKIP_INSTALL=1; install $APT_PKG (Debian/Ubuntu) first"
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "$CXX_WIN not found and apt-get is unavailable; install a mingw-w64 C++ cross compiler ($APT_PKG on Debian/Ubuntu) or set CXX_WIN"
  SUDO=()
  if [[ "$(id -u)" != "0" ]]; then
    command -v sudo >/dev/null 2>&1 || die "$CXX_WIN not found; installing $APT_PKG needs root (or sudo)"
    SUDO=(sudo)
  fi
  echo "check-windows: installing $APT_PKG with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  run_quiet "${SUDO[@]}" apt-get update || die "apt-get update failed"
  run_quiet "${SUDO[@]}" apt-get install -y --no-install-recommends "$APT_PKG" ||
    die "apt-get install $APT_PKG failed"
  pick_compiler || die "$CXX_WIN still not found after installing $APT_PKG"
fi

# --- include dirs -----------------------------------------------------------
command -v node >/dev/null 2>&1 || die "node not found"
NAPI_INC="$(node -p "require('node-addon-api').include_dir")" ||
  die "node-addon-api is not installed (run npm install)"
[[ -f "$NAPI_INC/napi.h" ]] || die "napi.h not found in '$NAPI_INC'"

NODE_INC=""
for d in "${NODE_INCLUDE_DIR:-}" /usr/include/node "$(dirname "$(command -v node)")/../include/node"; do
  if [[ -n "$d" && -f "$d/node_api.h" ]]; then
    NODE_INC="$d"
    break
  fi
done
[[ -n "$NODE_INC" ]] || die "Node's headers (node_api.h) not found; set NODE_INCLUDE_DIR"

# --- compile ----------------------------------------------------------------
# The sources binding.gyp lists for OS=='win' (common + Windows platform layer).
SOURCES=(
  native/binding.cc
  native/errors.cc
  native/segment.cc
  native/lock.cc
  native/shm_common.cc
  native/mutex_common.cc
  native/shm_win.cc
  native/mutex_win.cc
)

CXXFLAGS=(
  -std=c++17 -Wall -Wextra -Werror
  -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS
  -DUNICODE -D_UNICODE -DWIN32_LEAN_AND_MEAN -DNOMINMAX
  -fexceptions
  -I "$NAPI_INC" -I "$NODE_INC"
)

TMP="$(mktemp -d "${TMPDIR:-/tmp}/sct-check-win.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

echo "check-windows: $("$CXX_WIN" --version | head -n1)"
failed=0
for src in "${SOURCES[@]}"; do
  obj="$TMP/$(basename "${src%.cc}").o"
  if "$CXX_WIN" "${CXXFLAGS[@]}" -c "$src" -o "$obj" 2>"$TMP/err.txt"; then
    echo "ok   $src"
  else
    echo "FAIL $src"
    sed 's/^/     /' "$TMP/err.txt"
    failed=$((failed + 1))
  fi
done

if [[ "$failed" -ne 0 ]]; then
  echo "check-windows: $failed of ${#SOURCES[@]} file(s) failed"
  exit 1
fi
echo "check-windows: all ${#SOURCES[@]} files compile for Windows (x86_64, mingw-w64)"
