/**
 * What scripts/reference/pyhf_reference.py writes for one case: pyhf's own numbers on a
 * workspace (its parameters, −logpdf at chosen points, fits, asymptotic CLs, upper limits and
 * intervals), committed under test/fixtures/pyhf/reference/ (how they were made: the README
 * there). The agreement tests and the published artifacts' agreement records read them.
 */
import { readFile } from 'node:fs/promises';

export interface ReferenceFit {
  pars: Record<string, number>;
  nll: number;
  seconds: number;
  tolerance: number | null;
}

export interface ReferenceHypotest {
  mu: number;
  test_stat: 'qtilde' | 'q';
  cls: number;
  clsb: number;
  clb: number;
  expected: number[];
  sqrt_qmu_A: number;
  nll_fixed_data: number;
  nll_free_data: number;
  mu_hat_data: number;
}

export interface ReferenceInterval {
  parameter: string;
  intervals: { cl: number; threshold: number; lower: number | null; upper: number | null; best: number; nll_min: number }[];
}

/** What scripts/reference/pyhf_reference.py wrote for one case. */
export interface Reference {
  case: string;
  workspace: string;
  patchset: string | null;
  patch: string | null;
  poi: string | null;
  par_names: string[];
  channels: string[];
  samples: string[];
  init: Record<string, number>;
  bounds: Record<string, [number, number]>;
  fixed: Record<string, boolean>;
  data: number[];
  auxdata: number[];
  expected_at_init: number[];
  nll_points: { label: string; pars: Record<string, number>; nll: number }[];
  mle: { default: ReferenceFit; tight: ReferenceFit };
  upper_limit?: { level: number; observed: number; expected: number[] };
  hypotests?: ReferenceHypotest[];
  intervals: ReferenceInterval[];
}

/** A reference case from its file. */
export async function readPyhfReference(path: string): Promise<Reference> {
  const reference = JSON.parse(await readFile(path, 'utf8')) as Reference;
  if (typeof reference?.case !== 'string' || !Array.isArray(reference.nll_points) || !reference.mle?.tight) throw new Error(`${path} is not a case written by scripts/reference/pyhf_reference.py`);
  return reference;
}
