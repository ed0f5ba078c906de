# Puts Node 24 first on PATH in the current shell, installing it first when missing.
#
#   source scripts/use-node24.sh        # then: npm ci && npm test
#
# Node comes from the npm registry's `node-linux-<arch>@24` package (the binary and its headers)
# unpacked into NODE24_PREFIX (default /opt/node24; e.g. NODE24_PREFIX=~/.local/node24 without
# root). Nothing global changes: no install into /usr/local, no npm config. npm_config_nodedir
# points native builds at Node 24's headers (an npm config such as `nodedir=/usr` would otherwise
# compile addons for the system's older Node, which then crash at load).
# Sourced, not executed: it has to change the caller's PATH. Uses the system's npm to fetch Node.

NODE24_PREFIX="${NODE24_PREFIX:-/opt/node24}"

use_node24_install() {
  local arch tmp
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "use-node24: no node-linux package for $(uname -m)" >&2; return 1 ;;
  esac
  echo "use-node24: installing node-linux-$arch@24 from the npm registry into $NODE24_PREFIX" >&2
  tmp="$(mktemp -d)" || return 1
  if npm pack --silent --pack-destination "$tmp" "node-linux-$arch@24" >/dev/null &&
    mkdir -p "$NODE24_PREFIX" &&
    tar xzf "$tmp"/node-linux-"$arch"-*.tgz --strip-components=1 -C "$NODE24_PREFIX"; then
    rm -rf "$tmp"
  else
    rm -rf "$tmp"
    return 1
  fi
}

case "$("$NODE24_PREFIX/bin/node" --version 2>/dev/null)" in
  v24.*) ;;
  *) use_node24_install || return 1 2>/dev/null || exit 1 ;;
esac
unset -f use_node24_install

export PATH="$NODE24_PREFIX/bin:$PATH"
export npm_config_nodedir="$NODE24_PREFIX"
echo "use-node24: node $(node --version) from $(command -v node)" >&2
