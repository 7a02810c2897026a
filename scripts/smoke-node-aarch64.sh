#!/usr/bin/env bash
# npm run test:native:aarch64:node -- loads the cross-built arm64 addon in Debian's arm64 node
# under qemu-aarch64 and trains one small network on it (scripts/smoke-node-aarch64.mjs), on
# the NEON kernels and again with FASTMLP_FORCE_SCALAR=1. Correctness only: emulated speed means
# nothing (node alone takes ~30 s to start under qemu).
# Nothing on the host changes: Debian's nodejs:arm64 and its libraries are fetched with apt-get
# into a private apt state (APT_CONFIG under $work; no dpkg --add-architecture) and unpacked with
# dpkg-deb -x into a private sysroot, which qemu uses as its -L prefix. The addon is the one
# `cmake-js compile` would build, cross-compiled with cmake/aarch64-linux-gnu.cmake against this
# host's N-API headers (architecture-independent). Debian bookworm's arm64 nodejs is 18.x (below
# the engines field's 20): enough for N-API 8 and this smoke test, not a supported platform.
# Needs: g++-aarch64-linux-gnu qemu-user (as test:native:aarch64), network to deb.debian.org.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in aarch64-linux-gnu-g++ qemu-aarch64 dpkg-deb apt-get; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "test:native:aarch64:node: $tool not found (Debian/Ubuntu: apt-get install -y g++-aarch64-linux-gnu qemu-user)" >&2
    exit 1
  fi
done
work="$PWD/build-node-aarch64"
root="$work/sysroot"
mkdir -p "$work"

# --- Debian's arm64 nodejs, in a private sysroot -----------------------------------------------
if [ ! -x "$root/usr/bin/node" ]; then
  apt_dir="$work/apt"
  mkdir -p "$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial" "$work/debs"
  touch "$apt_dir/state/status"
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  cat >"$apt_dir/sources.list" <<EOF
deb [arch=arm64 signed-by=$keyring] http://deb.debian.org/debian bookworm main
deb [arch=arm64 signed-by=$keyring] http://deb.debian.org/debian-security bookworm-security main
EOF
  cat >"$apt_dir/apt.conf" <<EOF
APT::Architecture "arm64";
APT::Architectures { "arm64"; };
Dir::State "$apt_dir/state";
Dir::State::status "$apt_dir/state/status";
Dir::Cache "$apt_dir/cache";
Dir::Etc::SourceList "$apt_dir/sources.list";
Dir::Etc::SourceParts "/nonexistent";
Dir::Etc::Preferences "/nonexistent";
Dir::Etc::PreferencesParts "/nonexistent";
EOF
  export APT_CONFIG="$apt_dir/apt.conf"
  apt-get update -qq
  # nodejs and everything it depends on (recursively), for arm64.
  pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
    --no-enhances nodejs | grep -v '^ ' | grep -v '^<' | sort -u)
  (cd "$work/debs" && apt-get download $pkgs)
  unset APT_CONFIG
  mkdir -p "$root"
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done
fi
node_arm64=(qemu-aarch64 -L "$root" "$root/usr/bin/node")
echo "test:native:aarch64:node: $("${node_arm64[@]}" -p 'process.version + " " + process.arch')"

# --- the addon, cross-compiled ------------------------------------------------------------------
node_inc="$(dirname "$(dirname "$(command -v node)")")/include/node"
if [ ! -f "$node_inc/node_api.h" ]; then
  echo "test:native:aarch64:node: no N-API headers at $node_inc" >&2
  exit 1
fi
addon_build="$PWD/build-addon-aarch64"
cmake -S . -B "$addon_build" -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_JS_VERSION=cross -DCMAKE_JS_INC="$node_inc"
cmake --build "$addon_build" -j2 --target fastmlp_addon

# --- a package laid out as the loader expects: dist/ (tsc), build/Release/fastmlp.node ----------
pkg="$work/package"
rm -rf "$pkg"
mkdir -p "$pkg/build/Release"
npx tsc -p tsconfig.build.json --outDir "$pkg/dist"
cp package.json "$pkg/"
ln -s "$PWD/node_modules" "$pkg/node_modules"
cp "$addon_build/fastmlp.node" "$pkg/build/Release/"
cp scripts/smoke-node-aarch64.mjs "$pkg/"

echo "test:native:aarch64:node: NEON"
FASTMLP_FORCE_SCALAR=0 "${node_arm64[@]}" "$pkg/smoke-node-aarch64.mjs" neon
echo "test:native:aarch64:node: scalar twin (FASTMLP_FORCE_SCALAR=1)"
FASTMLP_FORCE_SCALAR=1 "${node_arm64[@]}" "$pkg/smoke-node-aarch64.mjs" scalar
