/**
 * `cli revise`: a new version with the earlier one's components byte for byte and an amended
 * manifest; names it does not know, replaced validation and axes that do not fit the bins are
 * refused, and nothing is left behind by a refused revision.
 */
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDataset } from '../../models/likelihood/datasets.js';
import { binnedTerms } from '../../models/terms/binned/term.js';
import { readArtifactFolder } from '../../scripts/lib/artifact-writer.js';
import { writeCatalogueIndex } from '../../scripts/lib/catalogue-index.js';
import { reviseArtifact } from '../../scripts/lib/revise-artifact.js';

describe('revising a published likelihood', () => {
  let root: string;
  let channel: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'revise-'));
    await cp('likelihoods/pyhf-2bin-shapesys/1.0.0', join(root, 'pyhf-2bin-shapesys', '1.0.0'), { recursive: true });
    await writeCatalogueIndex(root);
    channel = binnedTerms((await readArtifactFolder(join(root, 'pyhf-2bin-shapesys', '1.0.0'))).likelihood)[0].channels[0].name;
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('publishes the amended manifest over the same component bytes, and says what it revised', async () => {
    const { artifact } = await reviseArtifact(
      root,
      'pyhf-2bin-shapesys@1.0.0',
      '1.0.1',
      { changes: ['a unit and a bin axis'], parameters: { mu: { unit: 'σ_SM' } }, terms: { pyhf: { axes: { [channel]: { observable: 'm_T', unit: 'GeV', edges: [100, 200, 400] } } } }, validation: { closure: { 'a check': 1e-9 } } },
      'revise test',
    );
    await writeCatalogueIndex(root);
    const earlier = await readArtifactFolder(join(root, 'pyhf-2bin-shapesys', '1.0.0'));
    expect(artifact.manifest.version).toBe('1.0.1');
    expect(artifact.manifest.parameters[0].unit).toBe('σ_SM');
    expect(artifact.manifest.terms[0]).toMatchObject({ axes: { [channel]: { observable: 'm_T', edges: [100, 200, 400], overflow: false } } });
    expect(artifact.manifest.validation.closure).toEqual({ 'a check': 1e-9 });
    expect(artifact.manifest.provenance.revisionOf).toMatchObject({ version: '1.0.0', changes: ['a unit and a bin axis'] });
    expect(artifact.manifest.components).toEqual(earlier.manifest.components);
    for (const ref of Object.values(earlier.manifest.components)) {
      expect(await readFile(join(root, 'pyhf-2bin-shapesys', '1.0.1', ref.file))).toEqual(await readFile(join(root, 'pyhf-2bin-shapesys', '1.0.0', ref.file)));
    }
    // the same numbers
    const point = new Float64Array(earlier.likelihood.parameters.map((p) => p.init + 0.1));
    const nll = (a: typeof earlier) => a.likelihood.nll(point, resolveDataset(a.likelihood, { kind: 'observed' }));
    expect(nll(artifact)).toBe(nll(earlier));
  });

  it('refuses unknown names, replaced validation, axes that do not fit, and an existing version, leaving nothing behind', async () => {
    const revise = (version: string, revision: Parameters<typeof reviseArtifact>[3]) => reviseArtifact(root, 'pyhf-2bin-shapesys@1.0.0', version, revision, 'revise test');
    await expect(revise('1.0.2', { changes: ['x'], parameters: { nu: { unit: 'GeV' } } })).rejects.toThrow("parameter 'nu'");
    await expect(revise('1.0.2', { changes: ['x'], terms: { pyhf: { axes: { nowhere: { observable: 'x', edges: [0, 1, 2] } } } } })).rejects.toThrow("'nowhere', which is not one of its channels");
    await expect(revise('1.0.2', { changes: ['x'], terms: { pyhf: { axes: { [channel]: { observable: 'x', edges: [0, 1] } } } } })).rejects.toThrow('has 2 bins, so its axis needs 3 edges');
    await expect(revise('1.0.2', { changes: ['x'], terms: { pyhf: { axes: { [channel]: { observable: 'x', edges: [0, 2, 1] } } } } })).rejects.toThrow('the edges must increase');
    await expect(revise('1.0.1', { changes: ['x'] })).rejects.toThrow('already published');
    await expect(reviseArtifact(root, 'pyhf-2bin-shapesys@1.0.1', '1.0.2', { changes: ['again'], validation: { closure: { 'a check': 1 } } }, 'revise test')).rejects.toThrow("already records 'a check'");
    expect(await readdir(join(root, 'pyhf-2bin-shapesys'))).toEqual(['1.0.0', '1.0.1']);
  });
});
