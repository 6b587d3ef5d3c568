/** Results documents link the figures an artifact publishes and write only the others beside them. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../models/artifact/codec.js';
import type { LoadedArtifact } from '../../models/artifact/load.js';
import { placeFigures } from '../../scripts/lib/document-figures.js';

const root = await mkdtemp(join(tmpdir(), 'figures-'));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('placeFigures', () => {
  it('links a published figure in its artifact folder and writes an unpublished one beside the document', async () => {
    const published = '<svg>published</svg>';
    const sha256 = await sha256Hex(new TextEncoder().encode(published));
    const artifact = { manifest: { components: { scan: { kind: 'figure', file: 'scan.svg', sha256 } } } } as unknown as LoadedArtifact;
    const paths = await placeFigures(join(root, 'docs', 'report.md'), [{ name: 'scan', svg: published }, { name: 'extra', svg: '<svg>only here</svg>' }, { name: 'changed', svg: '<svg>published </svg>' }], [
      { folder: join(root, 'likelihoods', 'toy', '1.0.0'), artifact },
    ]);
    expect(paths.get('scan')).toBe('../likelihoods/toy/1.0.0/scan.svg');
    expect(paths.get('extra')).toBe('report/extra.svg');
    expect(paths.get('changed')).toBe('report/changed.svg');
    expect(await readFile(join(root, 'docs', 'report', 'extra.svg'), 'utf8')).toBe('<svg>only here</svg>');
  });
});
