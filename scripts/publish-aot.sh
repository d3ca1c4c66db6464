#!/usr/bin/env bash
# Publishes the samples as a NativeAOT binary and prints its size.
# Usage: scripts/publish-aot.sh [output-dir] [runtime-id] [instruction-set]   (defaults: /tmp/aot, linux-x64, native)
# NativeAOT compiles for a fixed instruction set, and its default x64 baseline has no AVX2 or AVX-512, so the
# kernels would run their 128-bit paths. "native" targets this machine's CPU; for a binary that runs elsewhere,
# pick a level such as x86-x64-v3 (AVX2) or x86-x64-v4 (AVX-512).
# Needs clang (the native linker driver) and zlib: apt-get install -y clang zlib1g-dev
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-/tmp/aot}"
rid="${2:-linux-x64}"
isa="${3:-native}"

dotnet publish Samples/ModelGen.Samples -c Release -r "$rid" -p:PublishAot=true -p:IlcInstructionSet="$isa" -o "$out"

binary="$out/ModelGen.Samples"
[[ -f "$binary" ]] || binary="$out/ModelGen.Samples.exe"
bytes=$(stat -c %s "$binary")
echo "$binary: $bytes bytes ($(awk "BEGIN { printf \"%.1f\", $bytes / 1048576 }") MiB)"
