/**
 * The pyhf fixtures: the published workspaces of ../shared/workspaces/ (each ATLAS
 * background-only workspace with its one signal patch, `<name>.patch.json`) and pyhf's
 * reference numbers per case in test/fixtures/pyhf/reference/ (how they were made: the README
 * there). A patched case is imported as pyhf applies a patch of a patchset: through a
 * one-patch patchset carrying the digest pyhf computed for the background-only workspace
 * (reference/digests.json), which the importer verifies.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportWorkspace } from '../../../models/pyhf/export.js';
import { importFromPatchSet, importWorkspace, pyhfLikelihood, type ImportedWorkspace, type PyhfLikelihood } from '../../../models/pyhf/import.js';
import type { PyhfPatchSet } from '../../../models/pyhf/workspace-schema.js';
import type { BinnedModelSpec } from '../../../models/terms/binned/schema.js';
import type { Reference } from '../../../scripts/reference/pyhf-reference.js';

const repository = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SHARED_WORKSPACES = join(repository, '..', 'shared', 'workspaces');
const referenceFolder = join(repository, 'test', 'fixtures', 'pyhf', 'reference');

/** The text of a file of ../shared/workspaces/ (e.g. `atlas_1Lbb.json`, `atlas_1Lbb.patch.json`). */
export function workspaceText(file: string): string {
  const path = join(SHARED_WORKSPACES, file);
  if (!existsSync(path)) throw new Error(`${path} is missing: the pyhf tests read the published workspaces from ../shared/workspaces/`);
  return readFileSync(path, 'utf8');
}

/** pyhf's `utils.digest` of each background-only workspace (and of its documented example). */
export const DIGESTS = JSON.parse(readFileSync(join(referenceFolder, 'digests.json'), 'utf8')) as Record<string, string> & { example: { object: unknown; sha256: string } };

/** The workspace's published signal patch as a one-patch patchset (pyhf schema 1.0.0) with pyhf's digest. */
export function patchSetOf(workspace: string, patchName: string, values: (number | string)[] = [0]): PyhfPatchSet {
  return {
    metadata: { description: `${patchName} on ${workspace}`, digests: { sha256: DIGESTS[workspace] as string }, labels: values.map((_, i) => `label${i}`), references: { hepdata: 'ins0000000' } },
    patches: [{ metadata: { name: patchName, values }, patch: JSON.parse(workspaceText(`${workspace}.patch.json`)) }],
    version: '1.0.0',
  };
}

export type { Reference, ReferenceFit, ReferenceHypotest, ReferenceInterval } from '../../../scripts/reference/pyhf-reference.js';

export function reference(name: string): Reference | null {
  const path = join(referenceFolder, `${name}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Reference) : null;
}

export const CASES = ['shapesys_2bin', 'coupledshapefactor', 'sbottom_bkg', 'sbottom_1300_205_60', '1Lbb_bkg', '1Lbb_700_150', 'exported_polynomial'] as const;

const imported = new Map<string, Promise<ImportedWorkspace>>();

/** The workspace's base name (the first runs wrote `<name>.json.gz`, gzipped copies of the same bytes). */
const baseName = (file: string) => file.replace(/\.json(\.gz)?$/, '');

/** The case's workspace imported as pyhf builds it (a signal patch through its patchset, digest verified). */
export function importCase(ref: Reference): Promise<ImportedWorkspace> {
  let p = imported.get(ref.case);
  if (!p) {
    if (ref.case === 'exported_polynomial') {
      p = Promise.resolve(importWorkspace(exportWorkspace(polynomialSpec(), POLYNOMIAL_OBSERVATIONS, 'k', { at: POLYNOMIAL_EXPORT_POINT })));
    } else {
      const name = baseName(ref.workspace);
      const text = workspaceText(`${name}.json`);
      p = ref.patch ? importFromPatchSet(text, patchSetOf(name, ref.patch), ref.patch) : Promise.resolve(importWorkspace(JSON.parse(text), ref.poi === null ? { poi: null } : {}));
    }
    imported.set(ref.case, p);
  }
  return p;
}

export async function caseLikelihood(ref: Reference): Promise<PyhfLikelihood & { imported: ImportedWorkspace }> {
  const imp = await importCase(ref);
  return { ...pyhfLikelihood(imp), imported: imp };
}

/** A global parameter vector from pyhf's parameters by name. */
export function vectorOf(names: readonly string[], pars: Record<string, number>): Float64Array {
  return Float64Array.from(names, (n) => {
    const v = pars[n];
    if (v === undefined) throw new Error(`pyhf has no parameter '${n}'`);
    return v;
  });
}

/**
 * A binned model of ours with a polynomial signal (degree 2 in k, θ0 = 1) and every kind of
 * modifier, including a staterror shared with the background and a shapesys on the signal:
 * its export at k = 1.7 (`POLYNOMIAL_EXPORT_POINT`, written by scripts/reference/export-polynomial.ts)
 * is the workspace on which pyhf computed the reference numbers of case `exported_polynomial`.
 */
export function polynomialSpec(): BinnedModelSpec {
  return {
    parameters: ['k'],
    degree: 2,
    reference: [1],
    channels: [
      {
        name: 'SR',
        samples: [
          {
            name: 'signal',
            coefficients: [
              [2, 1.5, 0.3],
              [1, 0.8, 0.2],
            ],
            modifiers: [
              { type: 'histosys', name: 'jes', data: { hi_data: [2.2, 1.1], lo_data: [1.9, 0.95] } },
              { type: 'staterror', name: 'stat', data: [0.2, 0.15] },
              { type: 'shapesys', name: 'signal_shape', data: [0.3, 0.2] },
              { type: 'lumi', name: 'lumi', data: null },
              { type: 'normsys', name: 'xs', data: { hi: 1.05, lo: 0.93 } },
            ],
          },
          {
            name: 'bkg',
            coefficients: [
              [20, 0, 0],
              [15, 0, 0],
            ],
            modifiers: [
              { type: 'staterror', name: 'stat', data: [1, 0.8] },
              { type: 'histosys', name: 'jes', data: { hi_data: [21, 15.5], lo_data: [19.2, 14.4] } },
              { type: 'normfactor', name: 'mu_b', data: null },
            ],
          },
        ],
      },
    ],
    parameterSettings: [
      { name: 'lumi', auxdata: [1], sigmas: [0.02] },
      { name: 'mu_b', bounds: [0, 5] },
    ],
  };
}
export const POLYNOMIAL_EXPORT_POINT = { k: 1.7 };
export const POLYNOMIAL_OBSERVATIONS = { SR: [25, 18] };

/** A small workspace with every modifier kind; channels and samples deliberately unsorted. */
export function smallWorkspace(): any {
  return {
    channels: [
      {
        name: 'SR',
        samples: [
          { name: 'sig', data: [5, 10], modifiers: [{ name: 'mu', type: 'normfactor', data: null }, { name: 'lumi', type: 'lumi', data: null }] },
          {
            name: 'bkg',
            data: [50, 60],
            modifiers: [
              { name: 'shape', type: 'shapesys', data: [5, 12] },
              { name: 'jes', type: 'normsys', data: { hi: 1.1, lo: 0.9 } },
              { name: 'jes', type: 'histosys', data: { hi_data: [52, 63], lo_data: [49, 58] } },
              { name: 'stat', type: 'staterror', data: [2, 3] },
            ],
          },
        ],
      },
      { name: 'CR', samples: [{ name: 'bkg', data: [100], modifiers: [{ name: 'mu_b', type: 'normfactor', data: null }, { name: 'sf', type: 'shapefactor', data: null }] }] },
    ],
    observations: [
      { name: 'SR', data: [55, 65] },
      { name: 'CR', data: [105] },
    ],
    measurements: [
      { name: 'first', config: { poi: 'mu', parameters: [{ name: 'lumi', auxdata: [1], sigmas: [0.02], bounds: [[0.9, 1.1]], inits: [1] }] } },
      { name: 'second', config: { poi: 'mu_b', parameters: [{ name: 'lumi', auxdata: [1], sigmas: [0.05], bounds: [[0.8, 1.2]], inits: [1] }] } },
    ],
    version: '1.0.0',
  };
}
