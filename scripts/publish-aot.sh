#!/usr/bin/env bash
# Publishes the samples as a NativeAOT binary and prints its size.
# Usage: scripts/publish-aot.sh [output-dir] [runtime-id]   (defaults: /tmp/aot, linux-x64)
# Needs clang (the native linker driver) and zlib: apt-get install -y clang zlib1g-dev
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-/tmp/aot}"
rid="${2:-linux-x64}"

dotnet publish Samples/ModelGen.Samples -c Release -r "$rid" -p:PublishAot=true -o "$out"

binary="$out/ModelGen.Samples"
[[ -f "$binary" ]] || binary="$out/ModelGen.Samples.exe"
bytes=$(stat -c %s "$binary")
echo "$binary: $bytes bytes ($(awk "BEGIN { printf \"%.1f\", $bytes / 1048576 }") MiB)"
