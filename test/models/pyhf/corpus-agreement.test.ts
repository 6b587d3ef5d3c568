/**
 * Issue 14: the binned engine on every published workspace of the corpus
 * (test/fixtures/pyhf/corpus/), against pyhf's numbers and against 60-digit arithmetic — the
 * rows of docs/pyhf-agreement.md, each checked.
 */
import { describe, expect, it } from 'vitest';
import { clsAgrees, measureCase, TOLERANCE, worstRelative, type AgreementRow } from '../../../scripts/pyhf/agreement.js';
import { corpusCase, corpusNames } from '../../../scripts/reference/pyhf-corpus.js';

const names = corpusNames();

describe('the corpus of published pyhf workspaces', () => {
  it('holds real likelihoods of several shapes, each with pyhf numbers', () => {
    expect(names.length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...names.map((n) => corpusCase(n).source.parameters))).toBeGreaterThanOrEqual(190);
  });

  describe.each(names)('%s', (name) => {
    let row: AgreementRow;
    it('−ln L equals the 60-digit sum of its terms at pyhf\'s points; the fit reaches pyhf\'s polished minimum or below', async () => {
      row = await measureCase(corpusCase(name));
      expect(row.nll.ours).toBeLessThanOrEqual(TOLERANCE.nllExact);
      expect(row.mle.converged).toBe(true);
      expect(row.mle.ours - row.mle.pyhfTight).toBeLessThanOrEqual(TOLERANCE.mleAbove);
      // where pyhf's −ln L is exact, so is the agreement of the minima
      if (row.nll.pyhf < 1e-12) expect(Math.abs(row.mle.ours - row.mle.pyhfTight)).toBeLessThan(1e-6);
    });

    it('CLs at μ = 1, the six 95% CLs limits and the POI interval agree with pyhf\'s polished fits', () => {
      if (!row.poi) return expect(row.limit).toBeNull();
      expect(clsAgrees(row.cls!)).not.toBe(false);
      const limit = row.limit!;
      const worst = worstRelative(limit.ours, limit.polished);
      if (worst !== null) expect(worst).toBeLessThanOrEqual(TOLERANCE.limit);
      else {
        // pyhf gave no polished limit: ours is a number, or null with the reason
        expect(limit.skipped).not.toBeNull();
        limit.ours.forEach((v, k) => {
          if (v === null) expect(limit.messages.join(' ')).toMatch(k === 0 ? /observed/ : /expected/);
        });
      }
      const interval = row.interval!;
      if (interval.pyhf) {
        interval.ours.forEach((v, k) => {
          const t = interval.pyhf![k];
          if (t === null) expect(v).toBeNull();
          else expect(Math.abs(v! - t) / Math.max(1, Math.abs(t))).toBeLessThanOrEqual(TOLERANCE.interval);
        });
      }
    });
  });
});
