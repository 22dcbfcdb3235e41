#!/usr/bin/env bash
# Installs the packed package the way a user does, on a machine with no
# compiler (npm run test:install; CI runs it after npm test).
#
# npm pack makes the tarball; an empty project in a scratch folder installs it
# with a PATH that holds node, npm and a few basic tools only: no cc, g++, make
# or python, so a source build cannot happen and the prebuild must serve. Then:
# require() and import() both load it (one copy of the library), the demo runs,
# there is no build/ folder, and a consumer's TypeScript (nodenext, node16 and
# bundler resolution, by package name through the exports map) type-checks,
# runs, and rejects a misuse. /dev/shm must be as it was, and no process left.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPT_NAME=install-test
# shellcheck source=scripts/lib/common.sh
source "$root/scripts/lib/common.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/sharedctypes-install.XXXXXX")"
tag="SHAREDCTYPES_INSTALL_TEST=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
shm_before="$(ls -A /dev/shm 2>/dev/null | LC_ALL=C sort || true)"

# Pids of live processes started by this test (they carry the tag).
tagged() {
  local p
  for p in /proc/[0-9]*; do
    if grep -qzxF -- "$tag" "$p/environ" 2>/dev/null; then
      echo "${p#/proc/}"
    fi
  done
}

cleanup() {
  local status=$? pids
  pids="$(tagged)"
  if [[ -n "$pids" ]]; then
    echo "install-test: killing leftover processes: $pids" >&2
    # shellcheck disable=SC2086
    kill -9 $pids 2>/dev/null || true
    status=1
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "install-test: FAIL: $*" >&2
  exit 1
}

# --- a PATH without compilers ------------------------------------------------
bin="$work/bin"
mkdir -p "$bin"
ln -s "$(readlink -f "$(command -v node)")" "$bin/node"
ln -s "$(readlink -f "$(command -v npm)")" "$bin/npm"
for tool in sh env cat ls mkdir rm cp mv ln chmod uname dirname basename sed grep; do
  ln -s "$(command -v "$tool")" "$bin/$tool"
done
# A clean environment too: no CC/CXX/PYTHON or npm_config_* from whoever called us.
bare() {
  env -i HOME="$HOME" PATH="$bin" TMPDIR="${TMPDIR:-/tmp}" "$tag" "$@"
}
for tool in cc c++ gcc g++ clang clang++ make gmake python python3; do
  if bare sh -c "command -v $tool" >/dev/null 2>&1; then
    fail "$tool is reachable on the bare PATH"
  fi
done
echo "install-test: bare PATH has node $(bare node --version), npm $(bare npm --version 2>/dev/null), no compiler, make or python"

# --- pack -------------------------------------------------------------------
# prepack compiles the TypeScript first, so the tarball holds the current dist/.
tarball="$(cd "$root" && npm pack --silent --pack-destination "$work" 2>/dev/null | tail -n1)"
[[ -f "$work/$tarball" ]] || fail "npm pack made no tarball"
echo "install-test: packed $tarball ($(stat -c %s "$work/$tarball") bytes)"

# --- install ----------------------------------------------------------------
app="$work/app"
mkdir -p "$app"
cat >"$app/package.json" <<'EOF'
{ "name": "install-test-app", "version": "1.0.0", "private": true }
EOF
if ! (cd "$app" && bare npm install --no-audit --no-fund --foreground-scripts "../$tarball") >"$work/install.log" 2>&1; then
  cat "$work/install.log" >&2
  fail "npm install of the tarball failed"
fi
sed 's/^/  npm: /' "$work/install.log"
if grep -q 'gyp info' "$work/install.log"; then
  fail "the install ran node-gyp (a source build) although a prebuild matches"
fi
pkg="$app/node_modules/sharedctypes"
[[ -d "$pkg" ]] || fail "node_modules/sharedctypes is missing"
[[ ! -e "$pkg/build" ]] || fail "node_modules/sharedctypes/build exists: something compiled"
echo "install-test: installed with no build/ folder"

# --- run --------------------------------------------------------------------
cat >"$app/check.cjs" <<'EOF'
const path = require('path');
const sct = require('sharedctypes');
const dir = path.dirname(require.resolve('sharedctypes/package.json'));
const v = sct.Value('i', 41);
v.withLock(() => v.value++);
const arr = sct.RawArray('d', [0.5, 1.5]);
console.log(JSON.stringify({
  binary: path.relative(dir, require(require.resolve('node-gyp-build', { paths: [dir] })).resolve(dir)),
  value: v.value,
  array: Array.from(arr),
}));
v.close();
EOF
cat >"$app/check.mjs" <<'EOF'
import sct, { Value, RawArray } from 'sharedctypes';
import { createRequire } from 'module';
const cjs = createRequire(import.meta.url)('sharedctypes');
const v = Value('q', 1n);
v.value += 1n;
console.log(JSON.stringify({
  sameLibrary: cjs.Value === Value && sct.RawArray === RawArray,
  value: String(v.value),
}));
v.close();
EOF
expect_output() { # WHAT EXPECTED DIR COMMAND...
  local what="$1" want="$2" dir="$3" got
  shift 3
  got="$(cd "$dir" && bare "$@" 2>"$work/stderr.txt")" || {
    cat "$work/stderr.txt" >&2
    fail "$what exited non-zero"
  }
  [[ ! -s "$work/stderr.txt" ]] || {
    cat "$work/stderr.txt" >&2
    fail "$what wrote to stderr"
  }
  [[ "$got" == "$want" ]] || fail "$what printed '$got', expected '$want'"
  echo "install-test: $what: $got"
}
arch="$(node -p 'process.platform + "-" + process.arch')"
want_cjs="{\"binary\":\"prebuilds/$arch/sharedctypes.glibc.node\",\"value\":42,\"array\":[0.5,1.5]}"
expect_output "require('sharedctypes')" "$want_cjs" "$app" node check.cjs
expect_output "import('sharedctypes')" '{"sameLibrary":true,"value":"2"}' "$app" node check.mjs

# npm 11 runs the install script but warns that no allowScripts entry approves
# it; where install scripts are skipped, the prebuild must be found all the same.
skip="$work/app-ignore-scripts"
mkdir -p "$skip"
cp "$app/package.json" "$app/check.cjs" "$skip/"
(cd "$skip" && bare npm install --no-audit --no-fund --ignore-scripts "../$tarball") >"$work/install2.log" 2>&1 || {
  cat "$work/install2.log" >&2
  fail "npm install --ignore-scripts of the tarball failed"
}
expect_output "require('sharedctypes') after npm install --ignore-scripts" "$want_cjs" "$skip" node check.cjs

(cd "$app" && bare node node_modules/sharedctypes/dist-examples/demo.js) >"$work/demo.txt" 2>&1 || {
  cat "$work/demo.txt" >&2
  fail "the demo failed"
}
sed 's/^/  demo: /' "$work/demo.txt"
grep -q '(exact)' "$work/demo.txt" || fail "the demo's locked counter is not exact"

# --- the README example, as written, in the consumer ------------------------
cp "$root/examples/readme.mjs" "$root/examples/readme.cjs" "$app/"
expect_output "the README example (ESM)" '1000 [ 3, 5, 7 ]' "$app" node readme.mjs
expect_output "the README example (CommonJS)" '1000 [ 3, 5, 7 ]' "$app" node readme.cjs

# --- from a clone -------------------------------------------------------------
# What a newcomer does before the package is on the registry: clone, npm ci
# (its prepare script builds dist/), and install the folder in a project.
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  clone="$work/clone"
  git clone --quiet "$root" "$clone"
  (cd "$clone" && npm ci --no-audit --no-fund) >"$work/clone-ci.log" 2>&1 || {
    cat "$work/clone-ci.log" >&2
    fail "npm ci in a fresh clone failed"
  }
  [[ -f "$clone/dist/index.js" && -f "$clone/dist/index.mjs" ]] || fail "npm ci in a fresh clone left no dist/"
  fromclone="$work/app-from-clone"
  mkdir -p "$fromclone"
  cp "$app/package.json" "$app/check.cjs" "$app/readme.mjs" "$fromclone/"
  (cd "$fromclone" && bare npm install --no-audit --no-fund "$clone") >"$work/install3.log" 2>&1 || {
    cat "$work/install3.log" >&2
    fail "npm install of the clone failed"
  }
  expect_output "require('sharedctypes') installed from a clone" "$want_cjs" "$fromclone" node check.cjs
  expect_output "the README example installed from a clone" '1000 [ 3, 5, 7 ]' "$fromclone" node readme.mjs
fi

# --- a TypeScript consumer ---------------------------------------------------
# The project's own tsc and @types/node; 'sharedctypes' itself is resolved from
# the app's node_modules through the package's exports map, as a user's would be.
tsc=("$(readlink -f "$(command -v node)")" "$root/node_modules/typescript/bin/tsc")
cat >"$app/consumer.ts" <<'EOF'
import { Value, RawArray, type ValueOf } from 'sharedctypes';
const v: ValueOf<'i'> = Value('i', 1);
const doubles: Float64Array = RawArray('d', [1, 2]);
v.value += doubles.length;
console.log(`cjs ${v.value}`);
v.close();
EOF
cat >"$app/consumer.mts" <<'EOF'
import sct, { Value, c_double, Struct } from 'sharedctypes';
const Point = Struct({ x: c_double, y: c_double });
const p = sct.RawValue(Point, { x: 1.5 });
const q = Value('q', 5n);
const big: bigint = q.value;
console.log(`esm ${p.x} ${big}`);
q.close();
EOF
cat >"$app/bad.mts" <<'EOF'
import { Value, RawArray } from 'sharedctypes';
Value('q').value = 1;
RawArray('d', 3)[0] = 1n;
Value('i').value = 'one';
export {};
EOF
tsconfig() { # MODULE RESOLUTION EMIT FILE...
  local module="$1" resolution="$2" emit="$3" files
  shift 3
  files="$(printf '"%s",' "$@")"
  cat <<EOF
{
  "compilerOptions": {
    "target": "ES2022", "lib": ["ES2022", "ESNext.Disposable"],
    "module": "$module", "moduleResolution": "$resolution",
    "strict": true, "noEmit": $emit, "outDir": "out", "skipLibCheck": false,
    "types": ["node"], "typeRoots": ["$root/node_modules/@types"]
  },
  "files": [${files%,}]
}
EOF
}
for mode in "nodenext nodenext false" "node16 node16 true" "esnext bundler true"; do
  read -r module resolution noemit <<<"$mode"
  tsconfig "$module" "$resolution" "$noemit" consumer.ts consumer.mts >"$app/tsconfig.json"
  (cd "$app" && bare "${tsc[@]}" -p tsconfig.json --listFiles) >"$work/tsc.txt" 2>&1 || {
    cat "$work/tsc.txt" >&2
    fail "a correct consumer does not type-check with moduleResolution $resolution"
  }
  # Types first in each condition: require finds index.d.ts, import index.d.mts.
  want=("$pkg/dist/index.d.mts")
  [[ "$resolution" == bundler ]] || want+=("$pkg/dist/index.d.ts")
  for f in "${want[@]}"; do
    grep -qxF "$(readlink -f "$f")" "$work/tsc.txt" || fail "$resolution: tsc did not use $f"
  done
  echo "install-test: consumer.ts + consumer.mts type-check (moduleResolution $resolution)"
done
expect_output "the compiled consumer.ts" 'cjs 3' "$app" node out/consumer.js
expect_output "the compiled consumer.mts" 'esm 1.5 5' "$app" node out/consumer.mjs

tsconfig nodenext nodenext true bad.mts >"$app/tsconfig.json"
if (cd "$app" && bare "${tsc[@]}" -p tsconfig.json) >"$work/tsc.txt" 2>&1; then
  fail "bad.mts type-checks, but it misuses three types"
fi
errs="$(grep -o '^bad\.mts([0-9]*,[0-9]*): error TS[0-9]*' "$work/tsc.txt" | sed 's/,[0-9]*)/)/' | tr '\n' ' ')"
[[ "$errs" == "bad.mts(2): error TS2322 bad.mts(3): error TS2322 bad.mts(4): error TS2322 " ]] || {
  cat "$work/tsc.txt" >&2
  fail "bad.mts should fail on lines 2, 3 and 4 only (TS2322), got: $errs"
}
echo "install-test: bad.mts is rejected: $errs"

# --- nothing left behind ----------------------------------------------------
for _ in $(seq 30); do
  [[ -z "$(tagged)" ]] && break
  sleep 0.1
done
[[ -z "$(tagged)" ]] || fail "processes left running: $(tagged | tr '\n' ' ')"
# Other programs may be using /dev/shm meanwhile: a leak is a new sharedctypes
# segment whose creator (the pid at byte 48 of its header) is gone.
leaked="$(ls -A /dev/shm 2>/dev/null | LC_ALL=C sort | comm -13 <(echo "$shm_before") - |
  node -e '
    const fs = require("fs");
    const gone = (pid) => { try { process.kill(pid, 0); return false; } catch (e) { return e.code === "ESRCH"; } };
    for (const name of fs.readFileSync(0, "utf8").split("\n").filter(Boolean)) {
      const head = Buffer.alloc(52);
      try {
        const fd = fs.openSync("/dev/shm/" + name, "r");
        const n = fs.readSync(fd, head, 0, 52, 0);
        fs.closeSync(fd);
        if (n === 52 && head.toString("latin1", 0, 8) === "SCTYPES\0" && gone(head.readUInt32LE(48))) console.log(name);
      } catch {}
    }' | tr '\n' ' ')"
[[ -z "$leaked" ]] || fail "left in /dev/shm: $leaked"
echo "install-test: ok (no compiler used, /dev/shm as it was, no process left)"
