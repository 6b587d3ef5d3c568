/**
 * `import`: publish a pyhf workspace (optionally one patch of a patchset, or a JSON Patch) as
 * a likelihood artifact, and `reinterpret`: CLs and the upper limit for new signal yields on a
 * workspace file or a published artifact. Files may be gzipped (`.gz`), as on HEPData.
 */
import { hs3ToWorkspace } from '../../models/pyhf/hs3.js';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { upperLimit } from '../../models/inference/intervals/upper-limit.js';
import { maximumLikelihood } from '../../models/inference/mle.js';
import { resolveDataset } from '../../models/likelihood/datasets.js';
import { workspaceArtifact } from '../../models/pyhf/artifact.js';
import { importFromPatchSet, importWorkspace, type ImportedWorkspace } from '../../models/pyhf/import.js';
import { pyhfDigest } from '../../models/pyhf/python-json.js';
import { writeArtifact } from '../lib/artifact-writer.js';
import { writeCatalogueIndex } from '../lib/catalogue-index.js';
import { provenance } from '../lib/provenance.js';

/** A JSON file's text; gunzipped when it is gzipped (by its first bytes, whatever its name). */
export async function readJsonText(path: string): Promise<string> {
  const bytes = await readFile(path);
  const text = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  try {
    JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not JSON: ${(error as Error).message}`);
  }
  return text;
}

export interface ImportOptions {
  workspace: string;
  patchset?: string;
  patch?: string;
  jsonPatch?: string;
  measurement?: string;
  poi?: string;
  verify: boolean;
  id: string;
  version: string;
  title?: string;
  description?: string;
  citation: string[];
  luminosity?: number;
  luminosityUnit: string;
  out: string;
  command: string;
}

/** Whether a JSON document is HS3 rather than a pyhf workspace: HS3 has `distributions` and `metadata.hs3_version`. */
const isHs3 = (document: unknown) => typeof document === 'object' && document !== null && 'distributions' in document && 'metadata' in document;

export async function importAndPublish(options: ImportOptions): Promise<{ folder: string; artifact: LoadedArtifact; imported: ImportedWorkspace; digest: string }> {
  if ((options.patchset === undefined) !== (options.patch === undefined)) throw new Error('--patchset and --patch go together: the patchset and the name of the patch to apply');
  if (options.patchset !== undefined && options.jsonPatch !== undefined) throw new Error('give --patchset with --patch, or --json-patch, not both');
  const text = await readJsonText(options.workspace);
  const digest = await pyhfDigest(text);
  const common = { ...(options.measurement !== undefined ? { measurement: options.measurement } : {}), ...(options.poi !== undefined ? { poi: options.poi } : {}) };
  let imported: ImportedWorkspace;
  let patch: { name: string; values: (number | string)[] } | null = null;
  if (options.patchset !== undefined) {
    const result = await importFromPatchSet(text, JSON.parse(await readJsonText(options.patchset)), options.patch!, { ...common, verify: options.verify });
    imported = result;
    patch = result.patch;
  } else {
    const jsonPatch = options.jsonPatch !== undefined ? JSON.parse(await readJsonText(options.jsonPatch)) : undefined;
    const document = JSON.parse(text);
    // an HS3 document (its HistFactory subset) is read as the pyhf workspace it describes
    const workspace = isHs3(document) ? hs3ToWorkspace(document) : document;
    imported = importWorkspace(workspace, { ...common, ...(jsonPatch !== undefined ? { jsonPatch } : {}) });
  }
  const channels = imported.spec.channels;
  const bins = channels.reduce((n, c) => n + c.samples[0].coefficients.length, 0);
  const source = `${options.workspace}${patch ? ` with patch '${patch.name}' of ${options.patchset}` : options.jsonPatch ? ` patched by ${options.jsonPatch}` : ''}`;
  const { draft, components } = workspaceArtifact(imported, {
    id: options.id,
    version: options.version,
    title: options.title ?? `pyhf workspace ${options.id}`,
    description: options.description ?? `HistFactory likelihood imported from the pyhf workspace ${source}: ${channels.length} channels, ${bins} bins, POI ${imported.poi}.`,
    citation: options.citation,
    ...(options.luminosity !== undefined ? { luminosity: { value: options.luminosity, unit: options.luminosityUnit } } : {}),
    provenance: provenance(options.command, {}, {
      pyhf: {
        workspace: options.workspace.split('/').pop(),
        workspaceDigest: { sha256: digest },
        measurement: imported.measurement,
        poi: imported.poi,
        patch,
        patchset: options.patchset?.split('/').pop() ?? null,
        jsonPatch: options.jsonPatch?.split('/').pop() ?? null,
        digestVerified: patch !== null && options.verify,
        interpolation: { normsys: 'code4', histosys: 'code4p' },
      },
    }),
    notes: imported.warnings,
  });
  const { folder, artifact } = await writeArtifact(options.out, draft, components);
  await writeCatalogueIndex(options.out);
  return { folder, artifact, imported, digest };
}

/** A one-line check of a freshly published workspace: the fit and the 95% CLs limit on its data. */
export function summariseWorkspaceArtifact(artifact: LoadedArtifact): string[] {
  const data = resolveDataset(artifact.likelihood, { kind: 'observed' });
  const poi = artifact.manifest.parameters[0].name;
  const fit = maximumLikelihood(artifact.likelihood, data);
  // no ± where the covariance gives none (a POI at a bound of its range, a Hessian not positive definite)
  const sigma = Number.isFinite(fit.uncertainties[0]) ? ` ± ${fit.uncertainties[0].toPrecision(3)}` : ' (at a bound, or no covariance: no ±)';
  const lines = [`  MLE: ${fit.converged ? `${poi} = ${fit.parameters[0].toPrecision(4)}${sigma}, −ln L = ${fit.nll.toFixed(6)}` : `did not converge (${fit.message})`}`];
  try {
    const limit = upperLimit(artifact.likelihood, data, poi);
    const fmt = (v: number | null) => (v === null ? '—' : v.toPrecision(4));
    lines.push(`  95% CLs upper limit on ${poi}: observed ${fmt(limit.observed)}, expected ${fmt(limit.expected[2])} [${fmt(limit.expected[1])}, ${fmt(limit.expected[3])}] (±1σ)${limit.messages.length ? `; ${limit.messages.join('; ')}` : ''}`);
  } catch (error) {
    lines.push(`  no CLs limit: ${(error as Error).message}`);
  }
  return lines;
}
