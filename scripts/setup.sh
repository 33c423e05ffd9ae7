#!/usr/bin/env bash
# Installs everything vmscope needs on Debian 12, idempotently: quick when already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build python3 clang lld llvm libclang-rt-14-dev
  libgtest-dev libgmock-dev libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libcapstone-dev pkg-config
  gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf picolibc-riscv64-unknown-elf
  qemu-user qemu-system-misc gdb-multiarch device-tree-compiler
  emscripten nodejs
  libglfw3-dev libgl1-mesa-dev libgl1-mesa-dri xvfb xauth imagemagick fonts-dejavu-core
  chromium python3-jsonschema libicu72
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all packages present"
fi

# Dear ImGui's full sources (Debian's source package), for both the native and the web build.
bash "$(dirname "$0")/fetch_imgui.sh"

# The npm packages, each folder's pinned in its package-lock.json, in its node_modules:
# web/: playwright-core for the browser tests (it drives Debian's /usr/bin/chromium: no browser
# is downloaded) and ws for scripts/gdb-bridge; tests/tools/node/: Microsoft's SARIF Multitool
# (a self-contained .NET program; libicu72 above is its one library) for the analyzer's SARIF.
root="$(cd "$(dirname "$0")/.." && pwd)"
install_npm_folder() {  # FOLDER PACKAGE...
  local folder="$root/$1" current=yes package lock_version have_version
  shift
  for package in "$@"; do
    lock_version=$(node -p "require('$folder/package-lock.json').packages['node_modules/$package'].version")
    have_version=$(node -p "try { require('$folder/node_modules/$package/package.json').version } catch { '' }")
    [ "$lock_version" = "$have_version" ] || current=no
  done
  if [ "$current" = no ]; then
    command -v npm >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq --no-install-recommends npm >/dev/null; }
    echo "setup: installing the npm packages of ${folder#$root/}/package-lock.json"
    (cd "$folder" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}
install_npm_folder web playwright-core ws
install_npm_folder tests/tools/node @microsoft/sarif-multitool-linux
# (npm does not run install scripts by default any more: the multitool's would make it executable)
chmod u+x "$root/tests/tools/node/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
