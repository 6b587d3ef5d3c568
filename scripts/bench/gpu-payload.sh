#!/usr/bin/env bash
# Builds runs/gpu-payload/ on this machine: what scripts/bench/gpu-training.sh needs on the GPU
# machine, which has no Node, no node_modules and no network (issue 22, ../shared/STACK-NOTES.md):
#   gpu-training.mjs   scripts/bench/gpu-training.ts bundled with tfjs and both backends (esbuild)
#   *.wasm             tfjs-backend-wasm's binaries, found beside the bundle
#   node_modules/      the `webgpu` package (its dawn.node xz-compressed) and the package.json
#                      files that provenance reads the backends' versions from
#   node.xz            this machine's Node 20 (it links only libc and libstdc++)
#   libvulkan1_*.deb   Debian's Vulkan loader, which that machine lacks
# Then:  device run --carry runs/gpu-payload 'bash scripts/bench/gpu-training.sh'
set -euo pipefail
cd "$(dirname "$0")/../.."
P=runs/gpu-payload
rm -rf "$P"
mkdir -p "$P/node_modules/webgpu/dist/linux-x64"
# ESM for the bundle's top-level awaits; tfjs-backend-wasm's CommonJS looks for its .wasm files at __dirname
npx esbuild scripts/bench/gpu-training.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning \
  --outfile="$P/gpu-training.mjs" --external:webgpu --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --banner:js="import { createRequire as bannerRequire } from 'node:module'; import { fileURLToPath as bannerPath } from 'node:url'; import { dirname as bannerDirname } from 'node:path'; const require = bannerRequire(import.meta.url); const __filename = bannerPath(import.meta.url); const __dirname = bannerDirname(__filename);"
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$P/"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$P/node_modules/webgpu/"
xz -T2 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$P/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
for pkg in @tensorflow/tfjs-backend-wasm @tensorflow/tfjs-backend-webgpu; do
  mkdir -p "$P/node_modules/$pkg" && cp "node_modules/$pkg/package.json" "$P/node_modules/$pkg/"
done
xz -T2 -6 -c "$(readlink -f "$(command -v node)")" > "$P/node.xz"
(cd "$P" && apt-get download libvulkan1 >/dev/null)
du -sh "$P"
