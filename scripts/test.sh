#!/usr/bin/env bash
# The README's test command: install valuegrad with its test and notebook extras into a virtual
# environment, then run the unit and property tests and every notebook.
# Inside an active venv (VIRTUAL_ENV set, as .ci/run does) it uses that one; otherwise it makes
# or reuses .venv here, so it never installs into the system's or another project's Python.
# Arguments go to pytest (e.g. `-x` to stop at the first failure, `-n 0` for one process);
# `--which-python` alone only prints the environment it would use.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
stage() { printf '\n== [%s, %ds] %s\n' "$1" $((SECONDS - start)) "$2"; }

if [ -z "${VIRTUAL_ENV:-}" ]; then
    if [ ! -x .venv/bin/python ]; then
        stage "1/4" "making a virtual environment in .venv (no venv is active)"
        python3 -m venv .venv || {
            echo "could not make .venv: on Debian/Ubuntu install python3-venv (apt install python3-venv)" >&2
            exit 2
        }
    fi
    # shellcheck disable=SC1091
    source .venv/bin/activate
fi
if [ "${1:-}" = "--which-python" ]; then  # only say which environment it would use
    python -c 'import sys; print(sys.prefix)'
    exit 0
fi
echo "using $(python -c 'import sys; print(sys.prefix)') (Python $(python -c 'import platform; print(platform.python_version())'))"

stage "2/4" "installing valuegrad with the test and notebook extras (the first time: up to minutes)"
python -m pip install --upgrade --progress-bar off pip
python -m pip install --progress-bar off -e ".[test,notebooks]"
# PyTorch for the differential tests: the CPU build only (the default wheel pulls gigabytes
# of CUDA). Without it those tests skip locally; under CI they fail.
stage "3/4" "PyTorch (CPU build) for the differential tests"
if python -c "import torch" 2>/dev/null; then
    echo "torch already installed"
else
    python -m pip install --progress-bar off "torch==2.13.0+cpu" \
        || echo "torch (CPU build) could not be installed: the differential tests will skip"
fi

# the unit and property tests, and every notebook executed top to bottom, on every core
stage "4/4" "the tests and notebooks, a dot per test (README.md says how long they take)"
python -m pytest -n auto --nbmake tests notebooks "$@"
