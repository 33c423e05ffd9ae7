#!/usr/bin/env bash
# The main job: installs what is missing, builds vmscope, and runs a bundled demo program.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh native
vm=build/native/cli/vmscope
echo
echo "== A Linux-ABI program on the process VM (system calls served by vmscope):"
$vm run build/native/assets/process/hello.elf
echo
echo "== A bare-metal program on the virt-like board: Sv32 page tables, page faults, ASIDs:"
$vm run build/native/assets/system/sv32_paging.elf
echo
echo "Run your own RV32 ELF with: $vm run PROGRAM   (see $vm run --help)"
