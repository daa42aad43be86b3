#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
apt-get install -y python3 python3-venv python3-pip
python3 -m venv /autograder/venv
# the CPU build of torch: Gradescope's graders have no GPU
/autograder/venv/bin/pip install --extra-index-url https://download.pytorch.org/whl/cpu \
    /autograder/source
