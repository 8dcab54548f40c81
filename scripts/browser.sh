#!/usr/bin/env bash
# The browser tests (tests/browser/) drive Debian's chromium through the pinned Python
# `playwright` package (no browser download). Install chromium and the fonts its screenshots
# need (Latin and Arabic, so right-to-left pages are not boxes) when missing and we may (root
# with apt-get); otherwise say what to install. Fast when everything is there.
set -euo pipefail
packages=(chromium fonts-dejavu-core fonts-noto-core)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "test: installing ${missing[*]} (Debian packages) for the browser tests"
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null; then
    exit 0
  fi
  echo "test: apt-get could not install ${missing[*]}; the browser tests will be skipped" >&2
  exit 0
fi
echo "test: ${missing[*]} not installed; install them (Debian packages) for the browser" \
  "tests, which are skipped without chromium" >&2
exit 0
