import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { evaluateEnsemble } from '../../../models/network/frozen-network.js';
import { createRandom } from '../../../models/random.js';
import { selectBackend } from '../../../scripts/training/backend.js';
import { createLgatrMember, freezeLgatr, lgatrInputScaling, resolveLgatr } from '../../../scripts/training/lgatr-tf.js';
import { lgatrColumns, lgatrEvents } from '../../helpers/lgatr-events.js';

await selectBackend({ prefer: 'wasm', log: null });

const P = 3;
const E = 1;
const D = 4 * P + E;

/** max over outputs of |a − b| / max(|b|, 0.1·rms(b)) */
function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let rms = 0;
  for (let i = 0; i < b.length; i++) rms += b[i] ** 2;
  const floor = 0.1 * Math.sqrt(rms / b.length);
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  return worst;
}

describe('L-GATr in tfjs', () => {
  it('the frozen runtime reproduces the tfjs forward pass (parity < 1e-5)', () => {
    const arch = resolveLgatr({ kind: 'lgatr', ...lgatrColumns(P, E), momentumScale: 1 / 50, channels: 8, scalarChannels: 16, blocks: 2, heads: 2 }, D);
    const R = 3;
    const members = [0, 1].map((m) => createLgatrMember(arch, D, R, 100 + m));
    const scalarScaling = { mean: Float32Array.of(3), std: Float32Array.of(2) };
    const n = 64;
    const x = Float32Array.from(lgatrEvents(createRandom(5), n, P, E));
    const scaling = lgatrInputScaling(arch, D, scalarScaling);
    const tfOut = members.map((m) =>
      tf.tidy(() => m.apply(tf.tensor2d(x, [n, D]).sub(tf.tensor1d(scaling.mean)).div(tf.tensor1d(scaling.std)) as tf.Tensor2D).dataSync() as Float32Array),
    );
    const frozen = freezeLgatr(members, { inputs: D, outputs: R, head: { kind: 'identity' }, scalarScaling });
    const runtime = evaluateEnsemble(frozen, x, n);
    const diffs = members.map((_, m) => relativeDifference(runtime.members[m], tfOut[m]));
    console.log('parity (max relative difference per member):', diffs.map((d) => d.toExponential(2)).join(', '));
    for (const d of diffs) expect(d).toBeLessThan(1e-5);
    for (const m of members) m.dispose();
  });
});
