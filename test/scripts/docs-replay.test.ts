/**
 * Issue 13: the intervals docs/four-top.md quotes for published likelihoods, replayed through
 * the app with default arguments (only the dataset the table names: Asimov data at the SM at
 * its luminosity) and compared with the document as written, row by row.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';
import { formatSegments } from '../../scripts/four-top/report.js';

const app = createApp(fileStore('likelihoods'));
const doc = readFileSync('docs/four-top.md', 'utf8');

/** The rows of the first table after the line that names `(\`id\`)`: luminosity, best fit, 68% CL, 95% CL, converged. */
function tableAfter(id: string): string[][] {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l.includes(`(\`${id}\`)`));
  expect(start, `docs/four-top.md names ${id}`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (let k = start + 1; k < lines.length; k++) {
    const line = lines[k].trim();
    if (!line.startsWith('|')) {
      if (rows.length) break;
      continue;
    }
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (/^-+$/.test(cells[0]) || cells[0].startsWith('luminosity')) continue;
    rows.push(cells);
  }
  return rows;
}

describe('docs/four-top.md, replayed through the API', () => {
  it.each(['tttt-yukawa', 'tttt-yukawa-np'])('%s: every quoted interval and best fit, at every luminosity', async (id) => {
    const rows = tableAfter(id);
    expect(rows.length).toBe(3);
    for (const [luminosity, best, i68, i95, converged] of rows) {
      const res = await app.request(`/v1/likelihoods/${id}/interval`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ parameters: ['Yt'], data: 'asimov', luminosity: Number(luminosity) }),
      });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.converged ? 'yes' : 'no', `${id} at ${luminosity} fb⁻¹`).toBe(converged);
      expect(body.best.toFixed(2)).toBe(best);
      expect(formatSegments(body.intervals[0].segments), `${id} 68% at ${luminosity} fb⁻¹`).toBe(i68);
      expect(formatSegments(body.intervals[1].segments), `${id} 95% at ${luminosity} fb⁻¹`).toBe(i95);
    }
  });
});
