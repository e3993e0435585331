#!/usr/bin/env bash
# Install napgraph on a fresh machine: a virtualenv with the package, the front-end packages
# from the npm lock file, and (with --test) the test tools: Debian's Chromium for the
# browser tests (with a Japanese font, so screenshots show Japanese names), the
# benchmark's load generator, a Java runtime for the HermiT reasoner (OWL 2 DL check) and
# Virtuoso 7 for the remote-store tests.
#   ./setup.sh          install to run:  .venv/bin/napgraph serve
#   ./setup.sh --test   install to test: .venv/bin/python -m pytest
set -euo pipefail
cd "$(dirname "$0")"

want_tests=false
[ "${1:-}" = "--test" ] && want_tests=true

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if $want_tests; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v hey >/dev/null 2>&1 || missing+=(hey)
  dpkg -s fonts-ipafont-gothic >/dev/null 2>&1 || missing+=(fonts-ipafont-gothic)
  command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)  # HermiT, via owlready2
  # The remote-store tests start a private Virtuoso 7 beside Oxigraph (tests/store_fixtures.py);
  # only the binaries: the package starts no service.
  command -v virtuoso-t >/dev/null 2>&1 || missing+=(virtuoso-opensource-7-bin)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

# pip's own output (and setuptools' warnings about the data folders, about 240 lines) goes
# to a log that is shown only if the install fails.
quietly() {
  local log=.venv/setup.log
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    echo "setup: failed: $* (log above, also in $log)" >&2
    exit 1
  fi
}

[ -x .venv/bin/python ] || python3 -m venv .venv
echo "setup: installing napgraph into .venv"
quietly .venv/bin/python -m pip install -q --upgrade pip
if $want_tests; then
  quietly .venv/bin/python -m pip install -q -e '.[test]'
else
  quietly .venv/bin/python -m pip install -q -e .
fi

if [ -f package-lock.json ]; then
  echo "setup: installing the front-end packages from package-lock.json"
  quietly npm ci --silent --no-audit --no-fund
fi
echo "setup: done"
