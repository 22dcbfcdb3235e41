#!/usr/bin/env bash
# Builds the prebuilt binaries shipped in prebuilds/ (npm run build:prebuilds).
#
#   prebuilds/linux-x64/sharedctypes.glibc.node     x86-64, glibc
#   prebuilds/linux-x64/sharedctypes-watchdog       its watchdog helper (an executable)
#   prebuilds/linux-arm64/sharedctypes.glibc.node   AArch64, glibc
#   prebuilds/linux-arm64/sharedctypes-watchdog     its watchdog helper
#   prebuilds/SOURCES.sha256                        what they were built from
#
# The helper (binding.gyp's second target, native/watchdog/) is built by the
# same node-gyp run as the addon and copied next to it: owned.ts looks for it
# in the folder of the addon it loaded. Both obey GLIBC_FLOOR.
#
# One Node-API binary per platform serves every Node version (--napi), so two
# builds cover Linux. The target that is not this machine's is cross-compiled
# with Debian's cross toolchain (g++-aarch64-linux-gnu or g++-x86-64-linux-gnu),
# installed with apt-get when missing. Node's headers are the same for every
# architecture, so the local ones serve both builds.
#
# Run it after every change to native/ or binding.gyp and commit prebuilds/:
# test/prebuilds.test.ts compares SOURCES.sha256 with the sources and fails
# while they differ.
#
# The builds happen in a scratch copy: node-gyp-build prefers build/Release to
# a prebuild, so the workspace's own build must stay the host's build of the
# current source, untouched.
#
# Environment: SCT_SKIP_INSTALL=1, SCT_VERBOSE=1 (see scripts/lib/common.sh);
# GLIBC_FLOOR (default 2.34): the newest glibc symbol version a prebuild may need.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
SCRIPT_NAME=prebuild
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh

GLIBC_FLOOR="${GLIBC_FLOOR:-2.34}"
TARGETS=(x64 arm64)

[[ "$(uname -s)" == Linux ]] || die "builds the Linux prebuilds; run it on Linux"
[[ -d node_modules/prebuildify && -d node_modules/node-addon-api ]] || die "run npm ci first"

host_arch="$(node -p process.arch)"
triplet_of() {
  case "$1" in
    x64) echo x86_64-linux-gnu ;;
    arm64) echo aarch64-linux-gnu ;;
    *) die "no cross toolchain known for $1" ;;
  esac
}
# readelf's name for each target's machine, to check what was built.
machine_of() {
  case "$1" in
    x64) echo 'Advanced Micro Devices X86-64' ;;
    arm64) echo 'AArch64' ;;
  esac
}

# --- toolchains -------------------------------------------------------------
missing=()
for arch in "${TARGETS[@]}"; do
  if [[ "$arch" == "$host_arch" ]]; then
    command -v g++ >/dev/null 2>&1 || missing+=(g++)
  else
    t="$(triplet_of "$arch")"
    command -v "$t-g++" >/dev/null 2>&1 || missing+=("g++-${t//_/-}")
  fi
done
command -v readelf >/dev/null 2>&1 || missing+=(binutils)
if [[ ${#missing[@]} -gt 0 ]]; then
  apt_install "a compiler" "${missing[@]}"
fi

# Headers of the running node when it has them (no download); else node-gyp fetches them.
if [[ -z "${npm_config_nodedir:-}" ]]; then
  nodedir="$(local_nodedir)"
  if [[ -n "$nodedir" ]]; then
    export npm_config_nodedir="$nodedir"
  fi
fi

# --- scratch copy -----------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/sharedctypes-prebuild.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp package.json binding.gyp "$work/"
cp -r native "$work/native"
ln -s "$root/node_modules" "$work/node_modules"

# --- build ------------------------------------------------------------------
for arch in "${TARGETS[@]}"; do
  env_args=()
  cxx=g++
  strip_bin=strip
  if [[ "$arch" != "$host_arch" ]]; then
    t="$(triplet_of "$arch")"
    cxx="$t-g++"
    env_args=(CC="$t-gcc" CXX="$cxx" LINK="$cxx" AR="$t-ar")
    strip_bin="$t-strip"
  fi
  echo "prebuild: linux-$arch with $("$cxx" --version | head -n1)"
  (cd "$work" && run_quiet env "${env_args[@]}" node node_modules/prebuildify/bin.js \
    --napi --strip --strip-bin "$strip_bin" --tag-libc --arch "$arch") ||
    die "the linux-$arch build failed"
  helper="$work/build/Release/sharedctypes-watchdog"
  [[ -f "$helper" ]] || die "the linux-$arch build did not produce sharedctypes-watchdog"
  install -m 0755 "$helper" "$work/prebuilds/linux-$arch/sharedctypes-watchdog"
  "$strip_bin" "$work/prebuilds/linux-$arch/sharedctypes-watchdog"
  rm -rf "$work/build"
done

# --- checks -----------------------------------------------------------------
status=0
for arch in "${TARGETS[@]}"; do
  for file in "prebuilds/linux-$arch/sharedctypes.glibc.node" "prebuilds/linux-$arch/sharedctypes-watchdog"; do
    [[ -f "$work/$file" ]] || die "$file was not produced"
    machine="$(readelf -h "$work/$file" | sed -n 's/^ *Machine: *//p')"
    if [[ "$machine" != "$(machine_of "$arch")" ]]; then
      echo "prebuild: $file is for '$machine', not linux-$arch" >&2
      status=1
    fi
    # The newest glibc symbol version it needs is the oldest glibc it loads on.
    needs="$(readelf -V -W "$work/$file" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n1)"
    if [[ "$(printf '%s\n%s\n' "$needs" "$GLIBC_FLOOR" | sort -V | tail -n1)" != "$GLIBC_FLOOR" ]]; then
      echo "prebuild: $file needs glibc $needs, newer than GLIBC_FLOOR=$GLIBC_FLOOR (README: Prebuilt binaries)" >&2
      status=1
    fi
    echo "prebuild: $file  $(stat -c %s "$work/$file") bytes, $machine, glibc >= $needs"
  done
done
[[ -x "$work/prebuilds/linux-x64/sharedctypes-watchdog" && -x "$work/prebuilds/linux-arm64/sharedctypes-watchdog" ]] ||
  die "a watchdog helper lost its exec bit"
[[ "$status" -eq 0 ]] || exit 1

# Hashes of what was built (the scratch copy, in case the tree changed meanwhile).
(cd "$work" && sha256sum binding.gyp native/*/*.cc native/*/*.h native/watchdog/*.c | LC_ALL=C sort -k2) >"$work/prebuilds/SOURCES.sha256"

# prebuilds/ belongs to this script: replace it whole.
rm -rf prebuilds
cp -r "$work/prebuilds" prebuilds
echo "prebuild: prebuilds/ updated; commit it (git add prebuilds)"
