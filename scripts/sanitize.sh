#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer run of the native layer.
# Not part of `npm test`: slower, needs gcc's libasan/libubsan, Linux only.
#
#   bash scripts/sanitize.sh                  # the default subset of the suite, and the platform test
#   bash scripts/sanitize.sh test/locks.test.ts test/fuzz-headers.test.ts
#   KEEP_SANITIZE_DIR=1 bash scripts/sanitize.sh   # keep the scratch copy to inspect
#
# What it does: copies the repository (without node_modules, build, .git) to a
# scratch directory, builds native/ there with -fsanitize=address,undefined
# and compiles the TypeScript, then runs jest there with libasan preloaded into
# every node process (node itself is not instrumented, so the ASan runtime has
# to come first) and detect_leaks=0 (node keeps memory until exit by design).
# The default run also builds and runs the platform layer's own test without
# Node (scripts/platform-test.sh) with the same flags, leak checks included.
# Every sanitizer report goes to a log file; any report fails the run.
# The workspace's own build/Release binary is never touched (other test runs
# may be using it): the script checks that it is byte-for-byte unchanged at
# the end, and the trap removes the scratch copy however the script ends.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/sharedctypes-sanitize.XXXXXX")"
logs="$work/sanitizer-logs"
binary="$root/build/Release/sharedctypes.node"
before_sum="$( [ -f "$binary" ] && sha256sum "$binary" | cut -d' ' -f1 || echo none)"

cleanup() {
  local status=$?
  if [ "${KEEP_SANITIZE_DIR:-0}" = 1 ]; then
    echo "sanitize: scratch copy kept in $work"
  else
    rm -rf "$work"
  fi
  local after_sum
  after_sum="$( [ -f "$binary" ] && sha256sum "$binary" | cut -d' ' -f1 || echo none)"
  if [ "$after_sum" != "$before_sum" ]; then
    echo "sanitize: the workspace binary changed during the run; rebuilding it (npm run build:native)" >&2
    (cd "$root" && npm run --silent build:native) || status=1
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

libasan="$(gcc -print-file-name=libasan.so)"
if [ ! -e "$libasan" ] || [ "$libasan" = libasan.so ]; then
  echo "sanitize: gcc has no libasan.so (install libasan / gcc with sanitizers)" >&2
  exit 2
fi

echo "sanitize: copying the repository to $work"
tar -C "$root" --exclude=./node_modules --exclude=./build --exclude=./.git \
  --exclude=./dist --exclude=./dist-examples -cf - . | tar -C "$work" -xf -
ln -s "$root/node_modules" "$work/node_modules"

flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
echo "sanitize: building native/ with $flags"
(cd "$work" && CFLAGS="$flags" CXXFLAGS="$flags" LDFLAGS="-fsanitize=address,undefined" \
  npm run --silent build:native >"$work/build.log" 2>&1) || {
  tail -40 "$work/build.log" >&2
  exit 1
}
if ! ldd "$work/build/Release/sharedctypes.node" | grep -q libasan; then
  echo "sanitize: the addon was not linked against libasan" >&2
  exit 1
fi
(cd "$work" && npx tsc -p tsconfig.json)

if [ "$#" -gt 0 ]; then
  tests=("$@")
else
  tests=(test/internal-native-core.test.ts test/locks.test.ts
    test/objects-scalars.test.ts test/objects-raw-arrays.test.ts test/objects-structs.test.ts
    test/objects-synchronized.test.ts test/objects-copy.test.ts test/objects-close.test.ts
    test/objects-named.test.ts test/objects-scale.test.ts test/sharing.test.ts
    test/lifetime.test.ts test/internal-watchdog-registry.test.ts test/internal-owned-names.test.ts
    test/internal-arena.test.ts test/internal-segment-table.test.ts test/bad-input.test.ts test/fuzz-headers.test.ts
    test/reliability-owner-death.test.ts test/reliability-leaks.test.ts test/reliability-load.test.ts
    test/permissions.test.ts test/space.test.ts)
fi

mkdir -p "$logs"
set +e
platform_status=0
if [ "$#" -eq 0 ]; then
  echo "sanitize: the platform layer without Node, under ASan+UBSan (scripts/platform-test.sh)"
  (cd "$work" &&
    ASAN_OPTIONS="halt_on_error=1:log_path=$logs/platform-asan" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/platform-ubsan" \
    PLATFORM_TEST_CXXFLAGS="$flags" bash scripts/platform-test.sh >"$work/platform.log" 2>&1)
  platform_status=$?
  [ "$platform_status" -eq 0 ] || cat "$work/platform.log" >&2
fi
echo "sanitize: running jest under ASan+UBSan: ${tests[*]}"
(cd "$work" &&
  LD_PRELOAD="$libasan" \
  ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=0:log_path=$logs/asan" \
  UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan" \
  npx jest "${tests[@]}")
jest_status=$?
set -e

reports=$(find "$logs" -type f | wc -l)
if [ "$reports" -gt 0 ]; then
  echo "sanitize: $reports sanitizer report(s):" >&2
  for f in "$logs"/*; do
    echo "----- $f" >&2
    head -60 "$f" >&2
  done
fi
echo "sanitize: platform test exit status $platform_status, jest exit status $jest_status, sanitizer reports: $reports"
[ "$reports" -eq 0 ] && [ "$platform_status" -eq 0 ] && [ "$jest_status" -eq 0 ]
