/**
 * The TypeScript client (clients/typescript, issue 25 item 3) against the Node server, and its
 * retries against a stub fetch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { likelihoodService, ServiceError } from '../../clients/typescript/index.js';
import { quietNodeServer } from '../helpers/node-server.js';

let server: Awaited<ReturnType<typeof quietNodeServer>>;
beforeAll(async () => {
  server = await quietNodeServer();
});
afterAll(async () => server.close());

describe('the TypeScript client', () => {
  it('nll, gradient, logl, fit, interval and a combination, with the service’s numbers', async () => {
    const service = likelihoodService({ base: `http://127.0.0.1:${server.port}` });
    const tttt = service.likelihood('tttt-yukawa');
    const { nll, gradient } = await tttt.nll({ points: [{ Yt: 1.2 }], gradient: true });
    const h = 1e-5;
    const [up, down] = (await tttt.nll({ points: [{ Yt: 1.2 + h }, { Yt: 1.2 - h }] })).nll;
    expect(gradient![0][0]).toBeCloseTo((up - down) / (2 * h), 4);
    expect(await tttt.logl({ Yt: 1.2 })).toBe(-nll[0]);
    const { parameters } = await tttt.parameters();
    expect(parameters.filter((p) => p.kind === 'interest').map((p) => p.name)).toEqual(['Yt']);
    expect(parameters.find((p) => p.name === 'lumi')).toMatchObject({ kind: 'nuisance', constraint: 'normal' });
    expect((await tttt.fit()).converged).toBe(true);
    const interval = await tttt.interval({ parameters: ['Yt'], cl: [0.68] });
    expect('intervals' in interval && interval.converged).toBe(true);
    const toy = service.likelihood('gaussian-toy-truth');
    const both = service.combine({ likelihoods: ['gaussian-toy-truth', 'tttt-yukawa'] });
    const combined = await both.nll({ points: [{ theta: 0.2, Yt: 1.2 }] });
    expect(combined.nll[0]).toBe((await toy.nll({ points: [{ theta: 0.2 }] })).nll[0] + nll[0]);
    const failure = await service.likelihood('no-such-likelihood').fit().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ServiceError);
    expect([(failure as ServiceError).status, (failure as ServiceError).code]).toEqual([404, 'unknown-likelihood']);
  });

  it('retries what failed for the server’s reasons, and nothing else', async () => {
    const stub = (statuses: number[]) => {
      let calls = 0;
      const fetch = (async () => {
        const status = statuses[Math.min(calls++, statuses.length - 1)];
        return new Response(status === 200 ? '{"nll":[1.5]}' : '{"code":"x","detail":"stub"}', { status, headers: { 'content-type': 'application/json' } });
      }) as typeof globalThis.fetch;
      return { fetch, calls: () => calls };
    };
    const flaky = stub([503, 502, 200]);
    expect((await likelihoodService({ fetch: flaky.fetch, backoffMs: 1 }).likelihood('x').nll({ points: [{}] })).nll).toEqual([1.5]);
    expect(flaky.calls()).toBe(3);
    const refused = stub([422]);
    await expect(likelihoodService({ fetch: refused.fetch, backoffMs: 1 }).likelihood('x').nll({ points: [{}] })).rejects.toThrow(ServiceError);
    expect(refused.calls()).toBe(1);
  });
});
