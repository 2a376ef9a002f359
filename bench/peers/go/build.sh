#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the Go peer offline: bench/peers/go/build.sh OUTDIR  ->  OUTDIR/chanbench-peer-go
# Go's build and module caches go under OUTDIR too; nothing is written in the source tree.
set -eu
out=${1:?usage: build.sh OUTDIR}
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
GO=${GO:-go}
cd "$src"
env GOCACHE="$out/go-cache" GOPATH="$out/go-path" GOFLAGS= GOPROXY=off GOTOOLCHAIN=local \
    GO111MODULE=on CGO_ENABLED=0 \
    "$GO" build -buildvcs=false -trimpath -o "$out/chanbench-peer-go" .
