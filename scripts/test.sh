#!/usr/bin/env bash
# Installs everything the tests need (Debian's chromium for the browser tests, HAProxy for the
# class-serving tests, docker-compose to validate compose.yaml, a venv with the project and its test extra, node for the page's unit
# tests) and runs the whole suite. Extra arguments go to pytest (and then only pytest runs).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/sbin/haproxy ] || ! command -v node >/dev/null \
  || ! command -v docker-compose >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    chromium fonts-dejavu-core nodejs haproxy docker-compose >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
# A plain (non-editable) install: the suite tests the package exactly as users get it.
.venv/bin/pip install --quiet --upgrade ".[test]"

status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
fi
# The page's pure modules (colour maps, wire decoding, schema, chart series) under node.
if [ "$#" -eq 0 ]; then
  node --test tests/web/ || status=1
fi
exit "$status"
