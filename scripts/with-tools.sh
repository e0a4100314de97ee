#!/bin/sh
# Bootstrap: make sure a Node >= 22 and the pinned pnpm are on PATH, install the workspace
# from the lockfile, then run the given command. Everything comes from the npm registry into
# the git-ignored .tools folder; nothing is installed globally. Warm path: a few milliseconds.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
tools="$root/.tools"
bin="$tools/node_modules/.bin"
node_want=24.21.0
pnpm_want=$(sed -n 's/.*"packageManager": *"pnpm@\([0-9.]*\).*/\1/p' "$root/package.json")

pkgver() { sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$1" 2>/dev/null | head -n 1; }

old_node=no
case "$(node --version 2>/dev/null)" in
  v2[2-9].*|v[3-9][0-9].*) ;;
  *) old_node=yes ;;
esac

ok=yes
[ "$(pkgver "$tools/node_modules/pnpm/package.json")" = "$pnpm_want" ] || ok=no
[ $old_node = no ] || [ "$(pkgver "$tools/node_modules/node/package.json")" = "$node_want" ] || ok=no
[ $old_node = no ] || [ -x "$bin/node" ] || ok=no

if [ $ok = no ]; then
  # One npm install of both: a second install into the same prefix would prune the first.
  deps="\"pnpm\": \"$pnpm_want\""
  [ $old_node = no ] || deps="$deps, \"node\": \"$node_want\""
  echo "opsjs: bootstrapping tools into .tools (node ${node_want} if needed, pnpm ${pnpm_want})" >&2
  mkdir -p "$tools"
  printf '{ "private": true, "dependencies": { %s } }\n' "$deps" > "$tools/package.json"
  npm install --prefix "$tools" --no-audit --no-fund --no-package-lock --loglevel=error >&2
fi

PATH="$bin:$PATH"
export PATH

if [ ! -f "$root/node_modules/.modules.yaml" ] || [ "$root/pnpm-lock.yaml" -nt "$root/node_modules/.modules.yaml" ]; then
  (cd "$root" && pnpm install --frozen-lockfile >&2)
fi

exec "$@"
