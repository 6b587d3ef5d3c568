/**
 * ONNX export of every published network (docs/onnx.md): per network, the model's size and
 * its largest difference from the frozen runtime under onnxruntime-node on 10⁴ random events
 * (float64 against the runtime's default, float32 against its float32 mode, both as
 * max |a − b| / max(1, |b|)), and the time to evaluate those events, ONNX and runtime side by
 * side in this run. Run: `npm run bench:onnx`.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { ComponentPayloadSchema } from '../../models/artifact/components.js';
import { decodeMessagePack } from '../../models/artifact/codec.js';
import { ManifestSchema } from '../../models/artifact/manifest-schema.js';
import { evaluateEnsemble, type FrozenNetwork } from '../../models/network/frozen-network.js';
import { networkToOnnx } from '../../models/network/onnx-export.js';
import { createRandom } from '../../models/random.js';

const EVENTS = 10_000;
const random = createRandom(2503);

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return worst;
}

/** The best of three timings, in ms (the machine is shared). */
async function time(run: () => unknown): Promise<number> {
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const start = performance.now();
    await run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

const rows: string[] = [];
const index = JSON.parse(readFileSync('likelihoods/index.json', 'utf8')) as { likelihoods: { id: string; versions: string[] }[] };
for (const { id, versions } of index.likelihoods) {
  for (const version of versions) {
    const manifest = ManifestSchema.parse(JSON.parse(readFileSync(`likelihoods/${id}/${version}/manifest.json`, 'utf8')));
    for (const [component, ref] of Object.entries(manifest.components)) {
      if (ref.kind !== 'network') continue;
      const payload = ComponentPayloadSchema.parse(decodeMessagePack(readFileSync(`likelihoods/${id}/${version}/${ref.file}`)));
      if (payload.kind !== 'network' || payload.network.format !== 'frozen-mlp/1') continue;
      const net: FrozenNetwork = payload.network;
      const D = net.inputs;
      const x = Float64Array.from({ length: EVENTS * D }, (_, k) => net.inputScaling.mean[k % D] + 2 * net.inputScaling.std[k % D] * (2 * random.uniform() - 1));
      const names = Array.from({ length: D }, (_, i) => `x${i}`);
      const producer = { name: 'bench', version: '0' };
      const f64 = networkToOnnx(net, { inputNames: names, producer, title: component });
      const f32 = networkToOnnx(net, { inputNames: names, producer, title: component, precision: 'float32' });
      const s64 = await ort.InferenceSession.create(f64);
      const s32 = await ort.InferenceSession.create(f32);
      const run64 = () => s64.run({ x: new ort.Tensor('float64', x, [EVENTS, D]) });
      const run32 = () => s32.run({ x: new ort.Tensor('float32', Float32Array.from(x), [EVENTS, D]) });
      const o64 = (await run64()).mean.data as Float64Array;
      const o32 = (await run32()).mean.data as Float32Array;
      const ref64 = evaluateEnsemble(net, x, EVENTS).mean;
      const ref32 = evaluateEnsemble(net, Float32Array.from(x), EVENTS, { precision: 'float32' }).mean;
      const [tOnnx, tRuntime] = [await time(run64), await time(() => evaluateEnsemble(net, x, EVENTS))];
      rows.push(
        `| ${id}@${version} | ${component} | ${net.head.kind} | ${net.members.length} | ${(f64.length / 1024).toFixed(0)} KiB | ${maxDifference(o64, ref64).toExponential(1)} | ${maxDifference(o32, ref32).toExponential(1)} | ${tOnnx.toFixed(1)} | ${tRuntime.toFixed(1)} | ${(tRuntime / tOnnx).toFixed(2)} |`,
      );
      process.stderr.write('.');
    }
  }
}
process.stderr.write('\n');
console.log(`ONNX export against the frozen runtime, ${EVENTS} random events per network (onnxruntime-node ${ort.env.versions.common}, CPU; times: best of 3, float64)\n`);
console.log('| likelihood | component | head | members | model (float64) | max diff float64 | max diff float32 | ONNX ms | runtime ms | runtime/ONNX |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
