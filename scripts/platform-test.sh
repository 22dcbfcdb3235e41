#!/usr/bin/env bash
# Builds and runs test/native/platform_test.cc: the POSIX platform layer
# (native/platform/: segments, robust process-shared mutexes, mappings kept
# for held locks) as a plain C++17 program, without Node. npm test runs it
# through test/platform.test.ts; by hand:
#
#   bash scripts/platform-test.sh [segment-name-prefix]
#   PLATFORM_TEST_CXXFLAGS="-fsanitize=address,undefined -g" bash scripts/platform-test.sh
#
# The program is compiled with the addon's warning flags into a scratch
# directory that is removed afterwards, so parallel runs never share a binary.
# Its exit status is the script's: 0 when every check passed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cxx="${CXX:-g++}"
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "platform-test: no C++ compiler: '$cxx' is not on PATH (install g++, or set CXX)" >&2
  exit 127
fi
case "$(uname -s)" in
  Linux) ;;
  *) echo "platform-test: the platform test builds the POSIX sources with Linux's -lrt; this is $(uname -s)" >&2; exit 2 ;;
esac

prefix="${1:-${SHAREDCTYPES_NAME_PREFIX:-sct-}test-platform-$$}"
work="$(mktemp -d "${TMPDIR:-/tmp}/sharedctypes-platform.XXXXXX")"
trap 'rm -rf "$work"' EXIT

platform="$root/native/platform"
# Every POSIX source of the platform layer (all but the *_win.cc twins), so a
# new one is linked here without anyone remembering to add it.
mapfile -t sources < <(find "$platform" -maxdepth 1 -name '*.cc' ! -name '*_win.cc' | LC_ALL=C sort)
# shellcheck disable=SC2086  # PLATFORM_TEST_CXXFLAGS is a list of flags
"$cxx" -std=c++17 -Wall -Wextra -Werror -O1 -pthread ${PLATFORM_TEST_CXXFLAGS:-} \
  -o "$work/platform_test" \
  "$root/test/native/platform_test.cc" \
  "${sources[@]}" \
  -lpthread -lrt

"$work/platform_test" "$prefix"
