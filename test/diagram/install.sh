#!/usr/bin/env bash
# Installs mermaid-cli (and the mermaid and puppeteer it runs) into
# test/diagram/node_modules, at the exact versions package.json pins, for
# test/diagram/render.t.  No browser is downloaded: render.t drives the
# system's Chromium.  Nothing is fetched but the packages, from npm's
# configured registry; no lockfile is written.  Skipped when the pinned
# version is already there.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
want=$(sed -n 's/.*"@mermaid-js\/mermaid-cli": "\([^"]*\)".*/\1/p' "$here/package.json")
have=$(sed -n 's/^  "version": "\([^"]*\)".*/\1/p' \
	"$here/node_modules/@mermaid-js/mermaid-cli/package.json" 2>/dev/null || true)

if [ -n "$want" ] && [ "$have" = "$want" ] && [ -x "$here/node_modules/.bin/mmdc" ]; then
	echo "mermaid-cli $have is installed in $here/node_modules"
	exit 0
fi
command -v npm >/dev/null || { echo "npm is needed to install mermaid-cli" >&2; exit 1; }

# install scripts are not run: puppeteer's would download a browser
PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix "$here" --no-package-lock --ignore-scripts \
	--no-audit --no-fund --loglevel=error
"$here/node_modules/.bin/mmdc" --version >/dev/null
echo "mermaid-cli $want installed in $here/node_modules"
