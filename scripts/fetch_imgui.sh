#!/usr/bin/env bash
# Fetches the Dear ImGui 1.86 sources from Debian's source package (imgui 1.86+ds-1) into
# third_party/imgui-1.86 (ignored by git): Debian's binary package lacks imgui.cpp and friends,
# which the WebAssembly build needs. Idempotent: does nothing when the sources are there.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=third_party/imgui-1.86
[ -f "$dest/imgui.cpp" ] && exit 0

if ! grep -rqs "deb-src\|Types: deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  cat > /etc/apt/sources.list.d/vmscope-deb-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -qq
fi
work=$(mktemp -d)
(cd "$work" && apt-get source --download-only imgui >/dev/null 2>&1) || {
  apt-get update -qq
  (cd "$work" && apt-get source --download-only imgui >/dev/null)
}
mkdir -p "$dest"
tar -xf "$work"/imgui_1.86+ds.orig.tar.xz -C "$dest" --strip-components=1
rm -rf "$work"
echo "fetch_imgui: Dear ImGui 1.86 sources in $dest"
