#!/usr/bin/env bash
# The README's test command: install valuegrad with its test and notebook extras, run everything.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e ".[test,notebooks]"
# PyTorch for the differential tests: the CPU build only (the default wheel pulls gigabytes
# of CUDA). Without it those tests skip locally; under CI they fail.
python -c "import torch" 2>/dev/null || python -m pip install --quiet "torch==2.13.0+cpu" \
    || echo "torch (CPU build) could not be installed: the differential tests will skip"
# the unit and property tests, and every notebook executed top to bottom
python -m pytest --nbmake tests notebooks "$@"
