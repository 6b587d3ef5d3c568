/**
 * Issue 17 item 6: frozen L-GATr inference against the frozen MLP and tfjs, side by side in one
 * run, and the edge's NLL time for submitted W±Z events.
 *
 *   npx tsx scripts/bench/lgatr.ts [version] [seconds per case]
 *
 * The networks are the published `wz-smeft-run3*` ones of `version` (default: the newest). The
 * tfjs cases rebuild each architecture with fresh weights of the same shapes (time does not
 * depend on the values) on the wasm backend: the L-GATr from lgatr-tf.ts, the MLP as a tfjs
 * sequential model. Events are selected W±Z events from the simulator. The NLL case posts
 * n events to POST /v1/likelihoods/{id}/nll of the Node server on loopback (server.ts), three
 * parameter points, and reports the median of seven requests after a first that loads the artifact.
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { evaluateEnsemble, mlpOnly, type AnyFrozenNetwork } from '../../models/network/frozen-network.js';
import { createLgatrMember, resolveLgatr } from '../training/lgatr-tf.js';
import { selectBackend } from '../training/backend.js';
import { wzSimulator } from '../simulators/wz.js';
import { WZ_RECO_OBSERVABLES } from '../simulators/wz-detector.js';
import { readPublished } from '../lib/artifact-writer.js';
import { startServer, timedPost } from './server.js';

const version = process.argv[2];
const seconds = Number(process.argv[3] ?? 2);
const D = WZ_RECO_OBSERVABLES.length;

/** Events per second of `run` over n events, repeated for at least `seconds`. */
function rate(n: number, run: () => void): number {
  run();
  let reps = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    run();
    reps++;
  }
  return (n * reps) / ((performance.now() - started) / 1000);
}

async function published(id: string): Promise<AnyFrozenNetwork> {
  const artifact = await readPublished('likelihoods', version ? `${id}@${version}` : id);
  const folder = `likelihoods/${artifact.manifest.id}/${artifact.manifest.version}`;
  const { decodeMessagePack } = await import('../../models/artifact/codec.js');
  const payload = decodeMessagePack(await readFile(`${folder}/${artifact.manifest.components.network.file}`)) as { network: AnyFrozenNetwork };
  return payload.network;
}

async function main() {
  await selectBackend({ log: null });
  const backend = tf.getBackend();
  const index = JSON.parse(await readFile('likelihoods/index.json', 'utf8')) as { likelihoods: { id: string }[] };
  const ids = index.likelihoods.map((l) => l.id).filter((id) => id.startsWith('wz-smeft-run3') && id !== 'wz-smeft-run3-mtwz');
  const sample = wzSimulator().simulate({ events: 40_000, seed: 5 });
  const n = Math.min(4000, sample.count);
  const x = sample.reco.slice(0, n * D);
  const rows: string[] = [];
  for (const id of ids) {
    const net = await published(id);
    const frozen = rate(n, () => evaluateEnsemble(net, x, n));
    const K = net.members.length;
    let tfjs: number;
    if (net.format === 'frozen-lgatr/1') {
      const arch = resolveLgatr({ kind: 'lgatr', tokens: net.tokens, scalars: net.scalars, momentumScale: net.momentumScale, channels: net.channels, scalarChannels: net.scalarChannels, blocks: net.blocks, heads: net.heads }, D);
      const R = net.members[0].output.multivectorBias.length;
      const members = Array.from({ length: K }, (_, m) => createLgatrMember(arch, D, R, 100 + m));
      const xs = tf.tensor2d(Float32Array.from(x), [n, D]);
      tfjs = rate(n, () => tf.tidy(() => members.forEach((member) => member.apply(xs).dataSync())));
      xs.dispose();
      members.forEach((member) => member.dispose());
    } else {
      const mlp = mlpOnly(net, id);
      const models = mlp.members.map((member) => {
        const model = tf.sequential();
        member.layers.forEach((layer, l) => model.add(tf.layers.dense({ units: layer.outputs, inputShape: l === 0 ? [layer.inputs] : undefined, activation: l === member.layers.length - 1 ? 'linear' : 'swish' })));
        return model;
      });
      const xs = tf.tensor2d(Float32Array.from(x), [n, D]);
      tfjs = rate(n, () => tf.tidy(() => models.forEach((model) => (model.predict(xs) as tf.Tensor).dataSync())));
      xs.dispose();
      models.forEach((model) => model.dispose());
    }
    rows.push(`| ${id} (${net.format}, ${K} members) | ${frozen.toFixed(0)} | ${tfjs.toFixed(0)} (${backend}) | ${(frozen / tfjs).toFixed(2)} |`);
  }
  console.log(`Inference on ${n} selected W±Z events, ${seconds} s per case, one run (this machine is shared: compare within a row):\n`);
  console.log('| network | frozen runtime (events/s) | tfjs (events/s) | frozen / tfjs |');
  console.log('| --- | --- | --- | --- |');
  console.log(rows.join('\n'));

  const server = await startServer('likelihoods');
  try {
    console.log('\nPOST /v1/likelihoods/{id}/nll with submitted events, 3 points, Node server on loopback (median of 7):\n');
    console.log('| likelihood | events | ms per request |');
    console.log('| --- | --- | --- |');
    for (const id of ids) {
      for (const events of [1000, Math.min(4000, sample.count)]) {
        const body = JSON.stringify({ points: [{}, { c_phiWB: 0.1 }, { c_WWW: 0.05, c_phiq3: -0.02 }], data: { events: Array.from({ length: events }, (_, i) => Array.from(sample.reco.subarray(i * D, (i + 1) * D))) } });
        const url = `${server.url}/v1/likelihoods/${id}${version ? `@${version}` : ''}/nll`;
        await timedPost(url, body);
        const times: number[] = [];
        for (let r = 0; r < 7; r++) times.push(await timedPost(url, body));
        console.log(`| ${id} | ${events} | ${[...times].sort((x, y) => x - y)[3].toFixed(1)} |`);
      }
    }
  } finally {
    await server.stop();
  }
}

await main();
