/**
 * pyhf export of a template likelihood in HEPData's convention: a background-only workspace
 * (tt̄H and tt̄ at the SM, data = the Asimov expectation at the SM) and a patchset whose
 * patches are signal hypotheses on a grid of the parameters — each replaces the channels'
 * samples by those of the model at that point (the tt̄tt̄ sample added with a normfactor
 * `mu_SIG`, the parametrised backgrounds at their yields there) — with the sha256 digest of
 * the background-only workspace as pyhf computes it.
 */
import { maximumLikelihood } from '../../models/inference/mle.js';
import { exportWorkspace } from '../../models/pyhf/export.js';
import { findPatch, importWorkspace, pyhfLikelihood } from '../../models/pyhf/import.js';
import { applyJsonPatch } from '../../models/pyhf/json-patch.js';
import { pyhfDigest } from '../../models/pyhf/python-json.js';
import type { JsonPatchOperation, PyhfPatchSet, PyhfWorkspace } from '../../models/pyhf/workspace-schema.js';
import { countsByChannel } from '../../models/terms/binned/data.js';
import type { BinnedModelSpec } from '../../models/terms/binned/schema.js';
import { createRandom } from '../../models/random.js';
import { templateLikelihood } from './pipeline.js';

const POI = 'mu_SIG';

/** The Asimov counts at θ0 per channel, at the templates' own luminosity. */
function asimovObservations(spec: BinnedModelSpec): Record<string, number[]> {
  const { term, likelihood } = templateLikelihood('t', spec, 1);
  const counts = term.expected(likelihood.initial(), likelihood.terms[0].index);
  return countsByChannel(term.channels, counts);
}

/** The model at θ as a pyhf workspace, the tt̄tt̄ sample carrying the normfactor mu_SIG. */
function workspaceAt(spec: BinnedModelSpec, observations: Record<string, number[]>, names: readonly string[], theta: readonly number[]): PyhfWorkspace {
  const at = Object.fromEntries(names.map((n, i) => [n, theta[i]]));
  const ws = exportWorkspace(spec, observations, null, { at });
  return {
    ...ws,
    channels: ws.channels.map((c) => ({ ...c, samples: c.samples.map((s) => (s.name === 'tttt' ? { ...s, modifiers: [...s.modifiers, { type: 'normfactor' as const, name: POI, data: null }] } : s)) })),
    measurements: ws.measurements.map((m) => ({ ...m, config: { ...m.config, poi: POI } })),
  };
}

const label = (names: readonly string[], theta: readonly number[]) => names.map((n, i) => `${n}_${String(theta[i]).replace('-', 'm').replace('.', 'p')}`).join('_');

export async function exportPatchSet(spec: BinnedModelSpec, names: readonly string[], grid: readonly (readonly number[])[]) {
  const observations = asimovObservations(spec);
  const sm = workspaceAt(spec, observations, names, spec.reference);
  const background: PyhfWorkspace = { ...sm, channels: sm.channels.map((c) => ({ ...c, samples: c.samples.filter((s) => s.name !== 'tttt') })) };
  const backgroundText = JSON.stringify(background);
  const digest = await pyhfDigest(backgroundText);
  const patchset: PyhfPatchSet = {
    metadata: {
      description: `signal hypotheses of the synthetic four-top benchmark on a grid of (${names.join(', ')}); not a HEPData record (the reference is a placeholder)`,
      digests: { sha256: digest },
      labels: [...names],
      references: { hepdata: 'ins0000000' },
    },
    patches: [],
    version: '1.0.0',
  };
  // a point where a bin's expected yield vanishes (Y_t = 0 empties the tt̄H-only bins) has no
  // pyhf equivalent of our term's constraints there: it is left out and listed
  const skipped: { theta: number[]; reason: string }[] = [];
  for (const theta of grid) {
    let ws: PyhfWorkspace;
    try {
      ws = workspaceAt(spec, observations, names, theta);
    } catch (error) {
      skipped.push({ theta: [...theta], reason: (error as Error).message });
      continue;
    }
    const patch: JsonPatchOperation[] = ws.channels.map((c, i) => ({ op: 'replace', path: `/channels/${i}/samples`, value: c.samples }));
    patchset.patches.push({ metadata: { name: label(names, theta), values: [...theta] }, patch });
  }
  if (skipped.length) patchset.metadata.description += `; left out (a bin's yield vanishes there): ${skipped.map((s) => `(${s.theta.join(', ')})`).join(', ')}`;
  return { background, backgroundText, patchset, digest, skipped };
}

/**
 * The exported workspace at the SM against the original templates: NLL differences between
 * random nuisance points (POI and Y_t at the SM) and the best-fit nuisances with them fixed.
 */
export function exportSmEquivalence(spec: BinnedModelSpec, background: PyhfWorkspace, patchset: PyhfPatchSet, sm: readonly number[], luminosity: number) {
  const patch = findPatch(patchset, [...sm]);
  const exported = pyhfLikelihood(importWorkspace(applyJsonPatch(background, patch.patch)));
  const original = templateLikelihood('t', spec, luminosity);
  const data = original.asimovAt(luminosity);
  const names = original.likelihood.names;
  const toExported = (params: Float64Array) => {
    const out = exported.likelihood.initial();
    names.forEach((n, i) => {
      const j = exported.likelihood.indexOf(n);
      if (j >= 0) out[j] = params[i];
    });
    out[exported.likelihood.indexOf(POI)] = 1;
    return out;
  };
  const rng = createRandom(7);
  const base = original.likelihood.initial();
  let maxDifference = 0;
  const nll0o = original.likelihood.nll(base, data);
  const nll0e = exported.likelihood.nll(toExported(base), exported.data);
  for (let k = 0; k < 20; k++) {
    const p = Float64Array.from(base);
    for (let i = spec.parameters.length; i < p.length; i++) p[i] += 0.05 * rng.normal();
    const dOriginal = original.likelihood.nll(p, data) - nll0o;
    const dExported = exported.likelihood.nll(toExported(p), exported.data) - nll0e;
    maxDifference = Math.max(maxDifference, Math.abs(dOriginal - dExported));
  }
  const fixedOriginal = new Map(spec.parameters.map((_, i) => [i, sm[i]] as [number, number]));
  const fitOriginal = maximumLikelihood(original.likelihood, data, { fixed: fixedOriginal, multiStart: false });
  const fitExported = maximumLikelihood(exported.likelihood, exported.data, { fixed: new Map([[exported.likelihood.indexOf(POI), 1]]), multiStart: false });
  let maxParameterDifference = 0;
  names.forEach((n, i) => {
    const j = exported.likelihood.indexOf(n);
    if (j >= 0) maxParameterDifference = Math.max(maxParameterDifference, Math.abs(fitOriginal.parameters[i] - fitExported.parameters[j]));
  });
  return { maxDifference, maxParameterDifference, converged: fitOriginal.converged && fitExported.converged, nllOriginal: fitOriginal.nll, nllExported: fitExported.nll };
}
