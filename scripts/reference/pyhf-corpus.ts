/**
 * The corpus of published pyhf likelihoods and pyhf's own numbers on them (issue 14):
 * test/fixtures/pyhf/corpus/ holds each workspace (with the signal patch applied where the
 * record publishes one), pyhf's reference numbers and a manifest saying where each came from;
 * its README says how they were made (scripts/reference/pyhf_corpus.py).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'pyhf', 'corpus');

export interface CorpusSource {
  source_repo: string;
  path_in_repo?: string;
  commit?: string;
  licence: string;
  analysis?: string;
  hepdata?: string;
  doi?: string;
  patch_applied?: string | null;
  channels: number;
  bins: number;
  parameters: number;
  poi: string | null;
}

interface PyhfFit {
  pars: Record<string, number>;
  nll: number;
  seconds: number;
  optimizer?: { nit?: number; nfev?: number; success?: boolean; message?: string };
}

interface PyhfLimit {
  observed: number;
  expected: number[];
  seconds: number;
}

interface PyhfHypotest {
  mu: number;
  test_stat: string;
  cls: number;
  expected: number[];
  sqrt_qmu_A: number;
  seconds?: number;
}

/** What scripts/reference/pyhf_corpus.py wrote for one workspace (the fields used here). */
export interface CorpusReference {
  case: string;
  poi: string | null;
  par_names: string[];
  versions: Record<string, string>;
  nll_points: { label: string; pars: Record<string, number>; nll: number }[];
  mle: { default: PyhfFit; tight: PyhfFit };
  hypotests?: PyhfHypotest[];
  hypotests_polished?: PyhfHypotest[];
  upper_limit?: PyhfLimit | null;
  upper_limit_polished?: PyhfLimit | null;
  intervals?: { parameter: string; intervals: { cl: number; threshold: number; lower: number | null; upper: number | null; best: number }[] }[] | null;
  skipped?: { stage: string; reason: string }[];
  stage_seconds?: Record<string, number>;
}

/**
 * Limits pyhf gives where its own toms748 scan does not (reference/<name>.limits.json.gz): on
 * the sbottom regions, whose published init lies outside their bounds, with the init clipped
 * into them; on the three-lepton search, with pyhf's Poisson terms evaluated exactly. Each
 * file says how (`method`).
 */
export interface OtherLimits {
  method: string;
  observed: number | null;
  expected: (number | null)[];
  seconds: { total: number };
}

export interface CorpusCase {
  name: string;
  source: CorpusSource;
  workspace: unknown;
  reference: CorpusReference;
  otherLimits: OtherLimits | null;
}

const gunzipJson = (path: string) => JSON.parse(gunzipSync(readFileSync(path)).toString('utf8'));

/** The corpus's workspace names, smallest first. */
export function corpusNames(): string[] {
  const manifest = JSON.parse(readFileSync(join(CORPUS, 'manifest.json'), 'utf8')) as Record<string, CorpusSource>;
  const withReference = new Set(readdirSync(join(CORPUS, 'reference')).filter((f) => !f.endsWith('.limits.json.gz')).map((f) => f.replace(/\.json\.gz$/, '')));
  return Object.keys(manifest)
    .filter((name) => withReference.has(name))
    .sort((a, b) => manifest[a].parameters * manifest[a].bins - manifest[b].parameters * manifest[b].bins);
}

export function corpusCase(name: string): CorpusCase {
  const manifest = JSON.parse(readFileSync(join(CORPUS, 'manifest.json'), 'utf8')) as Record<string, CorpusSource>;
  const other = join(CORPUS, 'reference', `${name}.limits.json.gz`);
  return {
    name,
    source: manifest[name],
    workspace: gunzipJson(join(CORPUS, 'workspaces', `${name}.json.gz`)),
    reference: gunzipJson(join(CORPUS, 'reference', `${name}.json.gz`)),
    otherLimits: existsSync(other) ? gunzipJson(other) : null,
  };
}
