/**
 * Where a results document shows its figures: a figure an artifact publishes (the same bytes,
 * by sha256) is linked in that artifact's folder, so the document and the artifact show one
 * file; any other figure is written beside the document, in the folder of its name.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { sha256Hex } from '../../models/artifact/codec.js';
import type { LoadedArtifact } from '../../models/artifact/load.js';

export interface DocumentFigure {
  name: string;
  svg: string;
}

/** Each figure's path relative to the document at `documentPath`, by name. */
export async function placeFigures(documentPath: string, figures: readonly DocumentFigure[], published: readonly { folder: string; artifact: LoadedArtifact }[]): Promise<Map<string, string>> {
  const here = dirname(documentPath);
  const beside = documentPath.replace(/\.md$/, '');
  const paths = new Map<string, string>();
  for (const figure of figures) {
    const sha256 = await sha256Hex(new TextEncoder().encode(figure.svg));
    const home = published.flatMap(({ folder, artifact }) => Object.values(artifact.manifest.components).filter((c) => c.kind === 'figure' && c.sha256 === sha256).map((c) => join(folder, c.file)))[0];
    if (home) {
      paths.set(figure.name, relative(here, home));
      continue;
    }
    await mkdir(beside, { recursive: true });
    const file = join(beside, `${figure.name}.svg`);
    await writeFile(file, figure.svg);
    paths.set(figure.name, relative(here, file));
  }
  return paths;
}
