#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the crossbeam peer (chanbench's crossbeam executor) offline from Debian's crate sources:
#   bench/peers/crossbeam/build.sh OUTDIR  ->  OUTDIR/chanbench-peer-crossbeam
# The crate is copied to OUTDIR/src and built there (cargo writes Cargo.lock next to Cargo.toml,
# and reads .cargo/config.toml from the directory it runs in), with CARGO_HOME and the target
# directory under OUTDIR too: nothing is written in the source tree. CARGO selects the cargo
# binary (default: cargo on PATH); CRATE_REGISTRY overrides /usr/share/cargo/registry.
set -eu
out=${1:?usage: build.sh OUTDIR}
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
CARGO=${CARGO:-cargo}
registry=${CRATE_REGISTRY:-/usr/share/cargo/registry}
if ! ls -d "$registry"/crossbeam-channel-* >/dev/null 2>&1; then
    echo "build.sh: no crossbeam-channel sources under $registry (Debian: apt install librust-crossbeam-channel-dev)" >&2
    exit 3
fi
rm -rf "$out/src"
mkdir -p "$out/src/.cargo"
cp -p "$src/Cargo.toml" "$src/build.rs" "$out/src/"
cp -Rp "$src/src" "$out/src/src"
sed "s|/usr/share/cargo/registry|$registry|" "$src/.cargo/config.toml" > "$out/src/.cargo/config.toml"
cd "$out/src"
env CARGO_HOME="$out/cargo-home" CARGO_TARGET_DIR="$out/target" \
    "$CARGO" build --release --offline
cp "$out/target/release/chanbench-peer-crossbeam" "$out/chanbench-peer-crossbeam"
