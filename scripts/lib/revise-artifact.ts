/**
 * A metadata revision of a published likelihood: a new version whose components are the
 * earlier version's files, byte for byte (the same sha256, so git stores them once), with the
 * manifest amended (units, bin axes, descriptions, validation) and the page analysis computed
 * again by this code. The published earlier version is never touched. The revision is recorded
 * in the provenance (`revisionOf`: the earlier version, its manifest's sha256, the changes), and
 * every number the new version gives is the earlier one's.
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { sha256Hex } from '../../models/artifact/codec.js';
import { parseManifest, type LoadedArtifact } from '../../models/artifact/load.js';
import { BinAxisSchema, type Manifest } from '../../models/artifact/manifest-schema.js';
import { addPageAnalysis, assertUnpublished, readArtifactFolder, readPublished } from './artifact-writer.js';
import { projectVersion } from './provenance.js';

const Described = z.object({ unit: z.string(), description: z.string() }).partial().strict();

/** What a revision may change: metadata only, never a number the likelihood computes. */
export const ManifestRevisionSchema = z
  .object({
    /** what changed and why, one line each (recorded in the provenance) */
    changes: z.array(z.string().min(1)).min(1),
    title: z.string().min(1).optional(),
    description: z.string().optional(),
    citation: z.array(z.string()).optional(),
    /** per parameter name */
    parameters: z.record(z.string(), Described).optional(),
    /** per observable name */
    observables: z.record(z.string(), Described).optional(),
    /** per term name: its description; for binned terms, the bin axes of its channels */
    terms: z.record(z.string(), z.object({ description: z.string(), axes: z.record(z.string(), BinAxisSchema) }).partial().strict()).optional(),
    /** added to the validation: closure quantities (new names only) and notes */
    validation: z.object({ closure: z.record(z.string(), z.number()), notes: z.array(z.string()) }).partial().strict().optional(),
  })
  .strict();
export type ManifestRevision = z.input<typeof ManifestRevisionSchema>;

/** The earlier manifest with the revision applied (names checked; the result is validated by the caller). */
export function revisedManifest(manifest: Manifest, version: string, revision: ManifestRevision, revisionOf: { manifestSha256: string; command: string }): Manifest {
  const r = ManifestRevisionSchema.parse(revision);
  const unknown = (what: string, names: Iterable<string>, known: readonly string[]) => {
    for (const n of names) if (!known.includes(n)) throw new Error(`the revision names ${what} '${n}', which ${manifest.id}@${manifest.version} does not have (it has ${known.join(', ')})`);
  };
  unknown('parameter', Object.keys(r.parameters ?? {}), manifest.parameters.map((p) => p.name));
  unknown('observable', Object.keys(r.observables ?? {}), manifest.observables.map((o) => o.name));
  unknown('term', Object.keys(r.terms ?? {}), manifest.terms.map((t) => t.name));
  const closure = { ...(manifest.validation.closure ?? {}) };
  for (const [k, v] of Object.entries(r.validation?.closure ?? {})) {
    if (k in closure) throw new Error(`the validation already records '${k}'; a revision adds, it does not replace`);
    closure[k] = v;
  }
  const { [manifest.pageAnalysis ?? '']: _analysis, ...components } = manifest.components;
  return {
    ...manifest,
    version,
    ...(r.title ? { title: r.title } : {}),
    ...(r.description !== undefined ? { description: r.description } : {}),
    ...(r.citation ? { citation: r.citation } : {}),
    parameters: manifest.parameters.map((p) => ({ ...p, ...r.parameters?.[p.name] })),
    observables: manifest.observables.map((o) => ({ ...o, ...r.observables?.[o.name] })),
    terms: manifest.terms.map((t) => {
      const change = r.terms?.[t.name];
      if (change?.axes && t.kind !== 'binned-template') throw new Error(`term '${t.name}' is not binned: it has no bin axes`);
      return { ...t, ...change } as Manifest['terms'][number];
    }),
    components,
    pageAnalysis: undefined,
    validation: {
      ...manifest.validation,
      ...(Object.keys(closure).length ? { closure } : {}),
      ...(r.validation?.notes ? { notes: [...(manifest.validation.notes ?? []), ...r.validation.notes] } : {}),
    },
    provenance: {
      ...manifest.provenance,
      createdAt: new Date().toISOString(),
      producer: { name: 'likelihood-service', version: projectVersion(), command: revisionOf.command },
      revisionOf: { version: manifest.version, manifestSha256: revisionOf.manifestSha256, changes: r.changes },
    },
  };
}

/**
 * Publishes `version` of the likelihood `spec` (id or id@version) in `root` as a revision of
 * it; the page analysis is computed again where the earlier version published one, and computed
 * for the first time with `pageAnalysis`.
 */
export async function reviseArtifact(root: string, spec: string, version: string, revision: ManifestRevision, command: string, options: { pageAnalysis?: boolean } = {}): Promise<{ folder: string; artifact: LoadedArtifact }> {
  const earlier = await readPublished(root, spec);
  const { id } = earlier.manifest;
  await assertUnpublished(root, [id], version);
  const from = join(root, id, earlier.manifest.version);
  const manifestSha256 = await sha256Hex(new Uint8Array(await readFile(join(from, 'manifest.json'))));
  const manifest = parseManifest(revisedManifest(earlier.manifest, version, revision, { manifestSha256, command }));
  const folder = join(root, id, version);
  await mkdir(folder, { recursive: true });
  try {
    for (const ref of Object.values(manifest.components)) await copyFile(join(from, ref.file), join(folder, ref.file));
    await writeFile(join(folder, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    const artifact = await readArtifactFolder(folder);
    return { folder, artifact: earlier.manifest.pageAnalysis || options.pageAnalysis ? await addPageAnalysis(folder, artifact) : artifact };
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}
