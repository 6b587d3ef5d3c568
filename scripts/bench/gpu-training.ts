/**
 * Training throughput of the α = 4 toy (issue 22), the script that scripts/bench/gpu-training.sh
 * runs on the GPU machine, bundled (scripts/bench/gpu-payload.sh) because that machine has no
 * Node and no node_modules. The tfjs backend comes from LIKELIHOOD_TFJS_BACKEND as everywhere
 * (webgpu, wasm); the line printed names the backend it actually ran on, so that a fallback is
 * never reported as a GPU figure.
 *
 *   node gpu-training.mjs <config> [--events N] [--epochs E] [--run <folder>]
 *
 * It runs the first half of the toy pipeline (`npm run cli -- train`: simulate, train, freeze,
 * parity against tfjs) on the config with the overrides, prints one JSON line with events/s,
 * and with --run writes <run>/<id>/trained.msgpack, which `npm run cli -- publish <config>
 * --run <folder>` turns into the published artifact on any machine.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { encodeMessagePack } from '../../models/artifact/codec.js';
import { ToyPipelineConfigSchema, trainToy, type ToyPipelineConfig } from '../pipeline/toy-pipeline.js';
import { provideOptionalModules } from '../training/backend.js';

provideOptionalModules({
  // @ts-ignore: optional packages, possibly absent where this is type-checked (the bundle has them)
  '@tensorflow/tfjs-backend-wasm': () => import('@tensorflow/tfjs-backend-wasm'),
  // @ts-ignore: as above
  '@tensorflow/tfjs-backend-webgpu': () => import('@tensorflow/tfjs-backend-webgpu'),
});

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { events: { type: 'string' }, epochs: { type: 'string' }, run: { type: 'string' } } });
  if (positionals.length !== 1) throw new Error('usage: gpu-training <config> [--events N] [--epochs E] [--run <folder>]');
  const config = ToyPipelineConfigSchema.parse(JSON.parse(await readFile(positionals[0], 'utf8'))) as ToyPipelineConfig;
  if (values.events) config.training.events = Number(values.events);
  if (values.epochs) config.training.network = { ...config.training.network, epochs: Number(values.epochs) };
  const started = performance.now();
  const trained = await trainToy(config, { onStage: (stage, detail) => console.error(`[${stage}] ${detail}`) });
  const adapter = (trained.backend.details as { adapter?: unknown }).adapter ?? null;
  console.log(
    JSON.stringify({
      backend: trained.training.backend,
      adapter,
      events: config.training.events,
      trainingEvents: trained.training.trainingEvents,
      epochs: trained.training.epochs,
      members: trained.training.members,
      batchSize: (config.training.network as { batchSize?: number } | undefined)?.batchSize ?? null,
      trainingSeconds: Number(trained.training.seconds.toFixed(1)),
      eventsPerSecond: Math.round(trained.training.eventsPerSecond),
      totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      parity: trained.parity.maxRelativeDifference,
    }),
  );
  if (values.run) {
    await mkdir(`${values.run}/${config.id}`, { recursive: true });
    await writeFile(`${values.run}/${config.id}/trained.msgpack`, encodeMessagePack(trained));
    console.error(`wrote ${values.run}/${config.id}/trained.msgpack`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
