/**
 * Frozen-network runtime throughput: events per second of `evaluateNetwork` on an
 * 8 → 64 → 64 → 64 → 1 ReLU network (identity head) with random weights, at batches of
 * 1, 1 000 and 100 000 events, for each backend (WebAssembly SIMD where it compiles, plain
 * TypeScript) and precision. Run: `npx tsx scripts/bench/frozen-network.ts [seconds per case]`.
 * (The side-by-side comparison with tfjs belongs with the tfjs scripts; this one needs no tfjs.)
 */
import { createRandom } from '../../models/random.js';
import {
  evaluateNetwork,
  networkBackend,
  parseFrozenNetwork,
  setNetworkBackend,
  type FrozenNetwork,
  type NetworkBackend,
  type NetworkPrecision,
} from '../../models/network/frozen-network.js';

const seconds = Number(process.argv[2] ?? 1.5);
const random = createRandom(7);
const widths = [8, 64, 64, 64, 1];

function randomArray(n: number, scale: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * random.normal();
  return a;
}

const net: FrozenNetwork = parseFrozenNetwork({
  format: 'frozen-mlp/1',
  inputs: widths[0],
  outputs: widths[widths.length - 1],
  inputScaling: { mean: new Float32Array(widths[0]), std: new Float32Array(widths[0]).fill(1) },
  head: { kind: 'identity' },
  members: [
    {
      layers: widths.slice(1).map((outputs, l) => ({
        inputs: widths[l],
        outputs,
        kernel: randomArray(widths[l] * outputs, Math.sqrt(2 / widths[l])),
        bias: randomArray(outputs, 0.1),
        activation: l === widths.length - 2 ? 'linear' : 'relu',
      })),
    },
  ],
});

function measure(batch: number, precision: NetworkPrecision): number {
  const x = randomArray(batch * widths[0], 1);
  const out = new Float64Array(batch);
  const options = { precision };
  // warm up (JIT), then time whole batches until `seconds` have passed
  const warm = performance.now();
  while (performance.now() - warm < 300) evaluateNetwork(net, 0, x, batch, out, options);
  let events = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    evaluateNetwork(net, 0, x, batch, out, options);
    events += batch;
    t = performance.now();
  } while (t - t0 < seconds * 1000);
  return events / ((t - t0) / 1000);
}

const backends: NetworkBackend[] = networkBackend() === 'wasm-simd' ? ['wasm-simd', 'typescript'] : ['typescript'];
console.log(`frozen-network runtime, ${widths.join('→')} ReLU, identity head; events per second (million)`);
if (backends.length === 1) console.log('(WebAssembly SIMD unavailable here: TypeScript backend only)');
for (const backend of backends) {
  setNetworkBackend(backend);
  for (const precision of ['float64', 'float32'] as const) {
    const rates = [1, 1_000, 100_000].map((batch) => `batch ${batch}: ${(measure(batch, precision) / 1e6).toFixed(3)}`);
    console.log(`${backend.padEnd(10)} ${precision}  ${rates.join('   ')}`);
  }
}
setNetworkBackend('auto');
