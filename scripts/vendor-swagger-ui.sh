#!/usr/bin/env bash
# Re-vendors the few Swagger UI files that GET /docs serves from the binary
# (no CDN). The version is pinned here; bump it, run this, commit the result.
#   scripts/vendor-swagger-ui.sh
set -euo pipefail
VERSION=5.35.0
cd "$(dirname "$0")/.."
dest=internal/apidocs/assets
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "swagger-ui-dist@$VERSION" >/dev/null && tar xzf "swagger-ui-dist-$VERSION.tgz")
rm -f "$dest"/swagger-ui*
# Stored gzip-compressed (-n: no name or time stamp, so the bytes are
# reproducible); the handler sends them as they are to clients that accept
# gzip and inflates them for the others.
gzip -9 -n -c "$tmp/package/swagger-ui-bundle.js" >"$dest/swagger-ui-bundle.js.gz"
gzip -9 -n -c "$tmp/package/swagger-ui.css" >"$dest/swagger-ui.css.gz"
cp "$tmp/package/favicon-32x32.png" "$dest/favicon-32x32.png"
cp "$tmp/package/LICENSE" "$dest/LICENSE.swagger-ui"
echo "$VERSION" >"$dest/VERSION"
ls -l "$dest"
