#!/usr/bin/env bash
# The README's test command: install valuegrad with its test extras, then run the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e ".[test]"
python -m pytest "$@"
