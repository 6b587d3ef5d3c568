/**
 * An imported pyhf workspace as a likelihood artifact: one binned-template term holding the
 * model and the observations, the POI (a normfactor) declared the parameter of interest with
 * the measurement's init and bounds as reference and range. The `import` command publishes
 * it; the inline endpoints assemble it in memory and load it through the artifact loader, so
 * a published workspace and one sent with a request are evaluated by the same code.
 */
import { assembleArtifact, readAssembled, type ComponentInput, type ManifestDraft } from '../artifact/assemble.js';
import { loadArtifact, type LoadedArtifact } from '../artifact/load.js';
import { MANIFEST_SCHEMA_VERSION, type Manifest } from '../artifact/manifest-schema.js';
import type { ImportedWorkspace } from './import.js';
import { PyhfModelError } from './workspace-schema.js';

/** The term name of an imported workspace in its artifact. */
export const PYHF_TERM = 'pyhf';

export interface WorkspaceArtifactOptions {
  id: string;
  version: string;
  title: string;
  description: string;
  citation?: string[];
  /** what the yields correspond to; default 1 "× published" (a luminosity of 2 doubles every yield) */
  luminosity?: { value: number; unit: string };
  provenance: Manifest['provenance'];
  notes?: string[];
}

/** The manifest draft and the one component of an imported workspace's artifact. */
export function workspaceArtifact(imported: ImportedWorkspace, options: WorkspaceArtifactOptions): { draft: ManifestDraft; components: ComponentInput[] } {
  const poi = imported.interest[0];
  if (!poi) throw new PyhfModelError('a published likelihood needs a parameter of interest: the workspace has no POI (give one, e.g. the signal normfactor)');
  if (poi.fixed) throw new PyhfModelError(`the POI '${poi.name}' is fixed in the measurement's configuration`);
  if (!(poi.bounds[0] < poi.init && poi.init < poi.bounds[1])) {
    throw new PyhfModelError(`the POI '${poi.name}' starts at ${poi.init}, on the edge of its bounds [${poi.bounds[0]}, ${poi.bounds[1]}]: a published parameter's reference value must lie inside its range`);
  }
  const channels = imported.spec.channels;
  const draft: ManifestDraft = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    id: options.id,
    version: options.version,
    title: options.title,
    description: options.description,
    citation: options.citation ?? [],
    parameters: [{ name: poi.name, description: 'signal strength: the measurement’s POI, a normfactor of the signal sample', reference: poi.init, range: [poi.bounds[0], poi.bounds[1]] }],
    observables: [],
    luminosity: options.luminosity ?? { value: 1, unit: '× published' },
    terms: [
      {
        kind: 'binned-template',
        name: PYHF_TERM,
        description: `HistFactory model imported from a pyhf workspace (measurement '${imported.measurement}'): ${channels.length} channel${channels.length === 1 ? '' : 's'}, ${channels.reduce((n, c) => n + c.samples[0].coefficients.length, 0)} bins`,
        model: 'model',
      },
    ],
    provenance: options.provenance,
    validation: options.notes?.length ? { notes: options.notes } : {},
  };
  const components: ComponentInput[] = [
    { name: 'model', kind: 'binned-model', file: 'model.msgpack', description: 'channels, samples, modifiers and observations, in pyhf’s order', payload: { kind: 'binned-model', model: imported.spec, observations: imported.observations } },
  ];
  return { draft, components };
}

/** The artifact of an imported workspace, assembled in memory and loaded (the inline endpoints). */
export async function loadWorkspaceArtifact(imported: ImportedWorkspace, options: WorkspaceArtifactOptions): Promise<LoadedArtifact> {
  const { draft, components } = workspaceArtifact(imported, options);
  const { manifest, files } = await assembleArtifact(draft, components);
  return loadArtifact(manifest, readAssembled(files));
}
