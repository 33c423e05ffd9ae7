#!/usr/bin/env bash
# Regenerates tests/golden/analyzer/* from the current `vmscope analyze` (build/native).
set -euo pipefail
cd "$(dirname "$0")/../.."
VMSCOPE_UPDATE_GOLDEN=1 ctest --test-dir build/native -R '^analyzer\.golden\.' --output-on-failure
