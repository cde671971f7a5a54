#!/usr/bin/env bash
# The README's test command: install valuegrad with its test and notebook extras, run everything.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e ".[test,notebooks]"
# the unit and property tests, and every notebook executed top to bottom
python -m pytest --nbmake tests notebooks "$@"
