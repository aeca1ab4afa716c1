#!/usr/bin/env bash
# Install the front-end assets from npm and copy the files the templates load into
# node_modules/.hpf-assets/vendor/ (settings.STATICFILES_DIRS serves that folder; whitenoise serves it in production).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
  echo "vendor-assets: npm not found; htmx and ECharts NOT installed (install Node.js/npm, then: make assets)" >&2
  exit 3
fi
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi
out=node_modules/.hpf-assets/vendor
mkdir -p "$out"
cp node_modules/htmx.org/dist/htmx.min.js "$out/htmx.min.js"
cp node_modules/echarts/dist/echarts.min.js "$out/echarts.min.js"
echo "vendor-assets: htmx $(node -p 'require("htmx.org/package.json").version'), echarts $(node -p 'require("echarts/package.json").version') → $out"
