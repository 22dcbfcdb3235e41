#!/usr/bin/env bash
# Runs the committed linux-arm64 prebuild on an emulated AArch64 (npm run check:arm64).
#
# There is no arm64 machine here. qemu-user (Debian's qemu-user-static, installed
# with apt-get when missing) runs Debian's arm64 build of Node; this script
# fetches it with its libraries into a private root, with apt-get's own state
# kept in a scratch folder, so the system gets no foreign architecture. Then
# test/fixtures/prebuild-smoke.js runs there with PREBUILDS_ONLY=1: it must load
# prebuilds/linux-arm64 and count exactly across two emulated processes.
#
# What emulation cannot show: qemu-user ignores robust futex lists, so a lock
# whose holder died is not recovered under it (it is on real arm64 kernels);
# the lifetime watchdog (prebuilds/linux-arm64/sharedctypes-watchdog) starts
# only if binfmt_misc hands arm64 executables to qemu, and its Node fallback
# (which re-executes node directly) cannot start either.
# Debian's arm64 Node is version 18, older than the engines field asks for; the
# binary is Node-API 8, which Node 18 provides.
#
# Environment: SCT_SKIP_INSTALL=1, SCT_VERBOSE=1 (see scripts/lib/common.sh);
# SCT_ARM64_ROOT: where the arm64 Node lives (default ~/.cache/sharedctypes/arm64-node).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
SCRIPT_NAME=check-arm64
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh

binary=prebuilds/linux-arm64/sharedctypes.glibc.node
sysroot="${SCT_ARM64_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/sharedctypes/arm64-node}"

[[ -f "$binary" ]] || die "$binary is missing (bash scripts/prebuild.sh)"
[[ -f dist/index.js ]] || die "dist/ is missing (npm run build:ts)"
command -v readelf >/dev/null 2>&1 || apt_install readelf binutils
machine="$(readelf -h "$binary" | sed -n 's/^ *Machine: *//p')"
[[ "$machine" == AArch64 ]] || die "$binary is for '$machine', not AArch64"

work="$(mktemp -d "${TMPDIR:-/tmp}/sharedctypes-arm64.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# --- an arm64 node ----------------------------------------------------------
if [[ "$(uname -m)" == aarch64 ]]; then
  node_arm64=(node)
else
  qemu=""
  for q in qemu-aarch64-static qemu-aarch64; do
    if command -v "$q" >/dev/null 2>&1; then
      qemu="$q"
      break
    fi
  done
  if [[ -z "$qemu" ]]; then
    apt_install qemu-aarch64-static qemu-user-static
    qemu=qemu-aarch64-static
  fi
  if [[ ! -x "$sysroot/usr/bin/node" ]]; then
    command -v apt-get >/dev/null 2>&1 || die "apt-get is needed to fetch Debian's arm64 Node"
    echo "check-arm64: fetching Debian's arm64 nodejs into $sysroot ..."
    state="$work/apt"
    mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
    : >"$state/status"
    # An empty status file: apt resolves the whole dependency closure for arm64.
    apt_opts=(
      -o "Dir::State::Lists=$state/lists" -o "Dir::State::Status=$state/status"
      -o "Dir::Cache=$state/cache" -o APT::Architecture=arm64 -o "APT::Architectures::=arm64"
      -o Debug::NoLocking=1
    )
    run_quiet apt-get "${apt_opts[@]}" update || die "apt-get update (arm64 lists) failed"
    run_quiet apt-get "${apt_opts[@]}" install --download-only -y --no-install-recommends nodejs ||
      die "downloading nodejs:arm64 failed"
    rm -rf "$sysroot.tmp"
    mkdir -p "$sysroot.tmp"
    for deb in "$state/cache/archives"/*.deb; do
      dpkg-deb -x "$deb" "$sysroot.tmp"
    done
    rm -rf "$sysroot"
    mv "$sysroot.tmp" "$sysroot"
  fi
  # fork() needs one program to start a child with: the emulator and the node.
  cat >"$work/node-arm64" <<EOF
#!/bin/sh
exec $qemu -L "$sysroot" "$sysroot/usr/bin/node" "\$@"
EOF
  chmod +x "$work/node-arm64"
  node_arm64=("$work/node-arm64")
  echo "check-arm64: $("$qemu" --version | head -n1)"
fi
echo "check-arm64: node $("${node_arm64[@]}" -p 'process.version + " " + process.arch')"

# --- run ----------------------------------------------------------------------
out="$(PREBUILDS_ONLY=1 SMOKE_EXEC_PATH="${node_arm64[0]}" "${node_arm64[@]}" test/fixtures/prebuild-smoke.js)" || {
  echo "$out"
  die "the smoke run failed on arm64"
}
echo "check-arm64: $out"
loaded="$(node -e 'console.log(JSON.parse(process.argv[1]).binary)' "$out")"
[[ "$loaded" == "$binary" ]] || die "loaded $loaded, not $binary"
echo "check-arm64: ok, $binary works on arm64 (emulated)"
