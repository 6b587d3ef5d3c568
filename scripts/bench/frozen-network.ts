/**
 * Frozen-network runtime throughput: events per second of `evaluateNetwork` on an
 * 8 → 64 → 64 → 64 → 1 ReLU network (identity head) with random weights, at batches of
 * 1, 1 000 and 100 000 events, for each backend (WebAssembly SIMD where it compiles, plain
 * TypeScript) and precision. Run: `npx tsx scripts/bench/frozen-network.ts [seconds per case]`.
 * The same network is built in TensorFlow.js with the same weights and timed on every tfjs
 * backend that initialises here (wasm, cpu; tfjs-node where its binary installed), side by
 * side, with the ratio runtime/tfjs and the largest output difference.
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

const BATCHES = [1, 1_000, 100_000];
const rows: { name: string; rates: number[] }[] = [];
const backends: NetworkBackend[] = networkBackend() === 'wasm-simd' ? ['wasm-simd', 'typescript'] : ['typescript'];
for (const backend of backends) {
  setNetworkBackend(backend);
  for (const precision of ['float64', 'float32'] as const) rows.push({ name: `frozen ${backend} ${precision}`, rates: BATCHES.map((batch) => measure(batch, precision)) });
}
setNetworkBackend('auto');

// The same network in tfjs, on every backend that initialises.
const { selectBackend, BACKEND_ORDER } = await import('../training/backend.js');
const tfRows: { name: string; rates: number[]; maxDifference: number }[] = [];
for (const name of BACKEND_ORDER) {
  let tf: typeof import('@tensorflow/tfjs');
  try {
    ({ tf } = await selectBackend({ prefer: name, fallback: false, log: null }));
  } catch {
    continue;
  }
  const model = tf.sequential();
  net.members[0].layers.forEach((layer, l) => {
    model.add(tf.layers.dense({ units: layer.outputs, inputShape: l === 0 ? [layer.inputs] : undefined, activation: layer.activation === 'linear' ? 'linear' : 'relu' }));
    model.layers[l].setWeights([tf.tensor2d(layer.kernel, [layer.inputs, layer.outputs]), tf.tensor1d(layer.bias)]);
  });
  const probe = randomArray(1000 * widths[0], 1);
  const ours = evaluateNetwork(net, 0, probe, 1000, new Float64Array(1000));
  const theirs = tf.tidy(() => (model.predict(tf.tensor2d(probe, [1000, widths[0]])) as import('@tensorflow/tfjs').Tensor).dataSync());
  let maxDifference = 0;
  for (let i = 0; i < 1000; i++) maxDifference = Math.max(maxDifference, Math.abs(ours[i] - theirs[i]) / Math.max(Math.abs(theirs[i]), 1));
  const rates = BATCHES.map((batch) => {
    const x = tf.tensor2d(randomArray(batch * widths[0], 1), [batch, widths[0]]);
    const run = () => tf.tidy(() => (model.predict(x, { batchSize: batch }) as import('@tensorflow/tfjs').Tensor).dataSync());
    const warm = performance.now();
    while (performance.now() - warm < 300) run();
    let events = 0;
    const t0 = performance.now();
    let t = t0;
    do {
      run();
      events += batch;
      t = performance.now();
    } while (t - t0 < seconds * 1000);
    x.dispose();
    return events / ((t - t0) / 1000);
  });
  model.dispose();
  tfRows.push({ name: `tfjs ${name}`, rates, maxDifference });
}

const fmt = (v: number) => (v / 1e6).toFixed(3).padStart(8);
console.log(`${widths.join('→')} ReLU network, identity head: million events per second, one core, ${seconds} s per case`);
console.log(`${'implementation'.padEnd(28)}${BATCHES.map((b) => `batch ${b}`.padStart(14)).join('')}`);
for (const row of [...rows, ...tfRows]) console.log(`${row.name.padEnd(28)}${row.rates.map((r) => fmt(r).padStart(14)).join('')}`);
for (const tfRow of tfRows) {
  for (const row of rows) console.log(`ratio ${row.name} / ${tfRow.name}: ${row.rates.map((r, k) => (r / tfRow.rates[k]).toFixed(2) + '×').join('  ')}`);
  console.log(`largest |frozen − ${tfRow.name}| / max(|tfjs|, 1) on 1 000 events: ${tfRow.maxDifference.toExponential(2)}`);
}
