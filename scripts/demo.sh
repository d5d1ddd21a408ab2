#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Install atomics into a fresh virtual environment (pip install .) and run
# the demo: threads and processes incrementing one counter, exact totals.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=$root/.interpreters/demo-venv
python3 -m venv --clear "$venv"
"$venv/bin/python" -m pip install -q "$root"
cd "$venv"  # run away from the source tree: the installed copy is used
"$venv/bin/python" "$root/examples/counter.py"
