/**
 * Writes the workspace that case `exported_polynomial` of scripts/reference/pyhf_reference.py
 * gives to pyhf: our polynomial test model (`polynomialSpec()` of test/models/pyhf/fixtures.ts)
 * exported by `exportWorkspace` at k = 1.7.
 *
 *   npx tsx scripts/reference/export-polynomial.ts /tmp/exported_polynomial.json
 */
import { writeFileSync } from 'node:fs';
import { exportWorkspace } from '../../models/pyhf/export.js';
import { POLYNOMIAL_EXPORT_POINT, POLYNOMIAL_OBSERVATIONS, polynomialSpec } from '../../test/models/pyhf/fixtures.js';

const out = process.argv[2] ?? '/tmp/exported_polynomial.json';
writeFileSync(out, JSON.stringify(exportWorkspace(polynomialSpec(), POLYNOMIAL_OBSERVATIONS, 'k', { at: POLYNOMIAL_EXPORT_POINT }), null, 1) + '\n');
console.log(`wrote ${out}`);
