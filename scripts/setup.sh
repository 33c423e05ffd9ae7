#!/usr/bin/env bash
# Installs everything vmscope needs on Debian 12, idempotently: quick when already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build python3 clang lld llvm libclang-rt-14-dev
  libgtest-dev libgmock-dev libcli11-dev nlohmann-json3-dev libtomlplusplus-dev
  gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf picolibc-riscv64-unknown-elf
  qemu-user qemu-system-misc gdb-multiarch device-tree-compiler
  emscripten nodejs
  libglfw3-dev libgl1-mesa-dev libgl1-mesa-dri xvfb xauth imagemagick fonts-dejavu-core
  chromium
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

# The npm packages (pinned in web/package-lock.json) in web/node_modules: playwright-core for the
# browser tests (it drives Debian's /usr/bin/chromium: no browser is downloaded) and ws for
# scripts/gdb-bridge.
web="$(cd "$(dirname "$0")/../web" && pwd)"
npm_current=yes
for package in playwright-core ws; do
  lock_version=$(node -p "require('$web/package-lock.json').packages['node_modules/$package'].version")
  have_version=$(node -p "try { require('$web/node_modules/$package/package.json').version } catch { '' }")
  [ "$lock_version" = "$have_version" ] || npm_current=no
done
if [ "$npm_current" = no ]; then
  command -v npm >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq --no-install-recommends npm >/dev/null; }
  echo "setup: installing the npm packages of web/package-lock.json into web/node_modules"
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
