/**
 * What the command line's pipeline commands (`pipeline`, `train`, `publish`) share: the
 * config file read and checked, progress bars for training and coverage toys, and the summary
 * printed after publishing. The heavy modules load lazily, as every command's work does.
 */
import { progressBar } from '../lib/progress.js';

type PipelineConfig = import('./toy-pipeline.js').ToyPipelineConfig;

/** Reads and validates a pipeline config; with `out`, refuses a version already published there. */
export async function readPipelineConfig(path: string, out?: string): Promise<PipelineConfig> {
  const { readFile } = await import('node:fs/promises');
  const { existsSync } = await import('node:fs');
  const { ToyPipelineConfigSchema } = await import('./toy-pipeline.js');
  const parsed = ToyPipelineConfigSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const config = parsed.data as PipelineConfig;
  if (out && existsSync(`${out}/${config.id}/${config.version}`)) throw new Error(`${config.id}@${config.version} is already published; a published version never changes`);
  return config;
}

export function pipelineHooks(id: string): import('./toy-pipeline.js').PipelineHooks {
  const training = progressBar(`training ${id}`);
  const coverage = progressBar('coverage toys');
  return {
    onStage: (stage, detail) => {
      if (stage === 'train') training.stop();
      if (stage === 'coverage') coverage.stop();
      console.log(`[${stage}] ${detail}`);
    },
    onTrainingProgress: (p) => training.update(p.epoch, p.epochs, `loss ${p.loss.toPrecision(4)}${p.validationLoss === null ? '' : ` (validation ${p.validationLoss.toPrecision(4)})`}`),
    onCoverageProgress: (done, total) => coverage.update(done, total),
  };
}

export async function published(out: string, config: PipelineConfig, result: import('./toy-pipeline.js').ToyPipelineResult, t0: number) {
  const { writeCatalogueIndex } = await import('../lib/catalogue-index.js');
  await writeCatalogueIndex(out);
  console.log(`published ${config.id}@${config.version} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  for (const [k, v] of Object.entries(result.closure)) console.log(`  ${k}: ${v.toPrecision(4)}`);
  for (const e of result.coverage.estimates) console.log(`  coverage at ${(100 * e.cl).toFixed(2)}%: ${(100 * e.coverage).toFixed(1)}% ± ${(100 * e.error).toFixed(1)}% (${e.toys} toys)`);
}
