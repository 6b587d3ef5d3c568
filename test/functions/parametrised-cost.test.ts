/**
 * The cost model on θ-parametrised terms (a network of (x, θ)): a fit and an interval with
 * default arguments, on published likelihoods, are accepted by the default budget and answer.
 * They used to be refused as too costly (a fit estimated at 49 s ran in 4 s), as the model
 * priced their network passes 2-3× above what they take and assumed 40 Newton iterations a
 * start. No timing here: the estimates against measured times are `npm run bench:cost`'s.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { fileStore } from '../../functions/node.js';

const app = createApp(fileStore('likelihoods'));
const post = (path: string, body: unknown) => app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('default fits and intervals on θ-parametrised likelihoods', () => {
  it.each([
    ['srgn-top-mass', 'mt'],
    ['gaussian-toy-a1.5-carl', 'theta'],
  ])('%s: /fit and /interval with default arguments answer 200 with finite results', async (id, parameter) => {
    const fit = await post(`/v1/likelihoods/${id}/fit`, {});
    const fitBody = await fit.json();
    expect(fit.status, JSON.stringify(fitBody)).toBe(200);
    expect(fitBody.converged).toBe(true);
    expect(Number.isFinite(fitBody.nll)).toBe(true);
    expect(Number.isFinite(fitBody.parameters[parameter])).toBe(true);

    const interval = await post(`/v1/likelihoods/${id}/interval`, { parameters: [parameter] });
    const intervalBody = await interval.json();
    expect(interval.status, JSON.stringify(intervalBody)).toBe(200);
    expect(intervalBody.converged).toBe(true);
    expect(Number.isFinite(intervalBody.best)).toBe(true);
    const [segment] = intervalBody.intervals[0].segments;
    expect(segment.lower < intervalBody.best && intervalBody.best < segment.upper).toBe(true);
  });
});
