# Helpers shared by the build scripts (sourced, not run): messages, quiet
# commands, and installing a missing cross toolchain with apt-get.
#
# The sourcing script sets SCRIPT_NAME (the prefix of its messages) and
# honours the same environment:
#   SCT_SKIP_INSTALL=1  never try to install a missing package (fail instead)
#   SCT_VERBOSE=1       show apt-get (and other quiet commands') output

die() {
  echo "${SCRIPT_NAME:-script}: $*" >&2
  exit 2
}

# Runs a command, showing its output only when it fails (or with SCT_VERBOSE=1).
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

# apt_install WHAT PACKAGE...: installs Debian packages for WHAT (a missing
# command, for the messages), as root or through sudo; dies when it cannot.
apt_install() {
  local what="$1"
  shift
  if [[ "${SCT_SKIP_INSTALL:-0}" == "1" ]]; then
    die "$what not found and SCT_SKIP_INSTALL=1; install $* (Debian/Ubuntu) first"
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "$what not found and apt-get is unavailable; install the equivalent of Debian's $*"
  local sudo=()
  if [[ "$(id -u)" != "0" ]]; then
    command -v sudo >/dev/null 2>&1 || die "$what not found; installing $* needs root (or sudo)"
    sudo=(sudo)
  fi
  echo "${SCRIPT_NAME:-script}: installing $* with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  run_quiet "${sudo[@]}" apt-get update || die "apt-get update failed"
  run_quiet "${sudo[@]}" apt-get install -y --no-install-recommends "$@" ||
    die "apt-get install $* failed"
}

# The directory holding include/node/node_api.h for the running node, if any:
# node-gyp then builds against these headers instead of downloading them.
local_nodedir() {
  local prefix
  prefix="$(cd "$(dirname "$(command -v node)")/.." && pwd)"
  if [[ -f "$prefix/include/node/node_api.h" ]]; then
    echo "$prefix"
  fi
}
