#!/usr/bin/env bash
# The GPU check of issue 22, in one go (under 8 minutes) on the GPU machine, from the repository root:
#   bash scripts/bench/gpu-payload.sh                       # here: builds runs/gpu-payload (36 MB)
#   device run, carry ["runs/gpu-payload"]: bash scripts/bench/gpu-training.sh
# It unpacks Node, Dawn and Debian's Vulkan loader, then prints side by side:
#   - webgpu: the α = 4 toy of scripts/bench/gpu-training.config.json (10⁶ events, the pipeline's
#     simulate → train → freeze → parity), writing $OUT/gaussian-toy-a4-smeared/trained.msgpack,
#     which `npm run cli -- publish scripts/bench/gpu-training.config.json --run <folder>` publishes;
#   - wasm on the same machine: one epoch of 10⁵ events (Node's wasm backend runs one thread);
#   - PyTorch on CUDA, the same ensemble's shapes (scripts/bench/gpu_torch_mlp.py): the anchor.
# Where there is no GPU (nvidia-smi absent) it is a dry run on small sizes: webgpu falls back,
# and every row names the backend that really ran.
set -uo pipefail
cd "$(dirname "$0")/../.."
P=runs/gpu-payload
OUT=${OUT:-runs/gpu-out}
[ -f "$P/gpu-training.mjs" ] || { echo "$P is missing: run scripts/bench/gpu-payload.sh and carry it" >&2; exit 2; }
mkdir -p "$OUT"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
xz -dc "$P/node.xz" > "$W/node" && chmod +x "$W/node"
mkdir -p "$W/payload" && cp -r "$P/gpu-training.mjs" "$P"/*.wasm "$P/node_modules" "$W/payload/"
xz -d "$W/payload/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
dpkg -x "$P"/libvulkan1_*.deb "$W/vulkan"
export LD_LIBRARY_PATH="$W/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"; break; fi
done
echo "node $("$W/node" --version); Vulkan driver: ${VK_DRIVER_FILES:-none found}"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  GPU_EVENTS=1000000 WASM_EVENTS=100000 TORCH_EVENTS=1000000 GPU_EPOCHS=
else
  echo "no GPU here: a dry run on small sizes"
  GPU_EVENTS=20000 WASM_EVENTS=20000 TORCH_EVENTS=20000 GPU_EPOCHS="--epochs 1"
fi
run() { # name, backend, timeout, args…
  local name=$1 backend=$2 limit=$3; shift 3
  echo "== $name" >&2
  LIKELIHOOD_TFJS_BACKEND=$backend timeout "$limit" "$W/node" "$W/payload/gpu-training.mjs" scripts/bench/gpu-training.config.json "$@" > "$W/$name.json" || echo "$name failed or ran out of time (rc $?)" >&2
}
# shellcheck disable=SC2086
run webgpu webgpu 330 --events "$GPU_EVENTS" $GPU_EPOCHS --run "$OUT"
run wasm wasm 120 --events "$WASM_EVENTS" --epochs 1
echo "== pytorch" >&2
timeout 90 python3 scripts/bench/gpu_torch_mlp.py --events "$TORCH_EVENTS" > "$W/pytorch.json" || echo "pytorch failed (rc $?)" >&2
python3 - "$W" <<'PY' | tee "$OUT/gpu-training.md"
import json, sys, pathlib
rows = []
for name in ("webgpu", "wasm", "pytorch"):
    text = (pathlib.Path(sys.argv[1]) / f"{name}.json").read_text().strip()
    rows.append((name, json.loads(text.splitlines()[-1]) if text else None))
print("| run | backend that ran | device | events × epochs | batch | training s | events/s | parity |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for name, r in rows:
    if r is None:
        print(f"| {name} | did not finish | | | | | | |"); continue
    adapter = r.get("adapter")
    device = adapter if isinstance(adapter, str) else " ".join(filter(None, [adapter.get("vendor"), adapter.get("architecture"), adapter.get("description")])) if adapter else "CPU"
    parity = f"{r['parity']:.1e}" if "parity" in r else ""
    print(f"| {name} | {r['backend']} | {device} | {r['events']:,} × {r['epochs']} | {r['batchSize']} | {r['trainingSeconds']} | {r['eventsPerSecond']:,} | {parity} |")
base = {n: r for n, r in rows if r}
if "wasm" in base:
    for n in ("webgpu", "pytorch"):
        if n in base and base[n]["backend"] != "wasm":
            print(f"\n{n} / wasm: ×{base[n]['eventsPerSecond'] / base['wasm']['eventsPerSecond']:.1f}", end="")
print()
PY
