#!/usr/bin/env bash
# Compile check of the Windows code path with the mingw-w64 cross compiler.
#
# There is no Windows machine in this workplace, so this only proves that the
# sources binding.gyp uses on Windows compile (and are warning-free) against
# the real Win32 headers, then links them into a DLL against an import library
# for node.exe made from the Node-API names (there is no node.lib here).
# MSVC-only diagnostics (/W4 /sdl /analyze) are not covered.
#
# Environment:
#   SCT_SKIP_INSTALL=1  never try to install the cross compiler (fail instead)
#   SCT_VERBOSE=1       show apt-get output instead of hiding it
#   SCT_SKIP_LINK=1     compile only; skip the trial link of the DLL
#   CXX_WIN=...         cross compiler to use (default: x86_64-w64-mingw32-g++-posix
#                       if present, else x86_64-w64-mingw32-g++)
#   NODE_INCLUDE_DIR=.. Node's headers (default /usr/include/node or node's prefix)
#
# Debian's plain x86_64-w64-mingw32-g++ is the "win32" thread model, whose
# libstdc++ (GCC < 13) has no std::mutex; napi.h needs it. The "-posix"
# variant (installed alongside by the same package) has it, as MSVC does.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
SCRIPT_NAME=check-windows
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh

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

# --- toolchain --------------------------------------------------------------
if ! pick_compiler; then
  apt_install "$CXX_WIN" "$APT_PKG"
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
# The sources binding.gyp lists for OS=='win' (common + Windows platform
# layer), read from binding.gyp itself so a new file cannot be missed here.
mapfile -t SOURCES < <(node -e '
  const gyp = JSON.parse(require("fs").readFileSync("binding.gyp", "utf8"));
  const t = gyp.targets.find((x) => x.target_name === "sharedctypes");
  const win = t.conditions.find((c) => c[0] === "OS==\x27win\x27");
  for (const s of [...t.sources, ...win[1].sources]) console.log(s);
')
[[ ${#SOURCES[@]} -gt 2 ]] || die "could not read the Windows sources from binding.gyp"

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

# --- link (best effort) -----------------------------------------------------
# No node.lib here: build an import library for node.exe from the N-API
# functions the objects call (each must be declared in Node's headers), then
# link a DLL with --no-undefined, so every other symbol (C++ runtime, Win32)
# must resolve too. Skipped, not failed, when the binutils are missing.
if [[ "${SCT_SKIP_LINK:-0}" == "1" ]]; then
  echo "skip link (SCT_SKIP_LINK=1)"
  exit 0
fi
prefix="${CXX_WIN%%-g++*}"
NM="${prefix}-nm"
DLLTOOL="${prefix}-dlltool"
OBJDUMP="${prefix}-objdump"
for tool in "$NM" "$DLLTOOL" "$OBJDUMP"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "skip link ($tool not found)"
    exit 0
  fi
done
OBJS=("$TMP"/*.o)
"$NM" -u "${OBJS[@]}" | awk '{print $NF}' | grep -E '^(napi|node_api)_' | sort -u >"$TMP/napi.txt" || true
{
  echo "LIBRARY node.exe"
  echo "EXPORTS"
  while read -r sym; do
    if ! grep -qw "$sym" "$NODE_INC/js_native_api.h" "$NODE_INC/node_api.h"; then
      echo "FAIL link: $sym is not a Node-API function declared in $NODE_INC" >&2
      exit 1
    fi
    echo "  $sym"
  done <"$TMP/napi.txt"
} >"$TMP/node.def"
if "$DLLTOOL" -d "$TMP/node.def" -l "$TMP/libnode.a" 2>"$TMP/err.txt" &&
  "$CXX_WIN" -shared -o "$TMP/sharedctypes.node" "${OBJS[@]}" "$TMP/libnode.a" \
    -static-libgcc -static-libstdc++ -Wl,--no-undefined 2>>"$TMP/err.txt" &&
  "$OBJDUMP" -p "$TMP/sharedctypes.node" >"$TMP/pe.txt" 2>>"$TMP/err.txt" &&
  grep -q 'napi_register_module_v1' "$TMP/pe.txt"; then
  echo "ok   link sharedctypes.node ($(wc -l <"$TMP/napi.txt") Node-API imports from node.exe)"
else
  echo "FAIL link sharedctypes.node (or it does not export napi_register_module_v1)"
  sed 's/^/     /' "$TMP/err.txt"
  exit 1
fi
