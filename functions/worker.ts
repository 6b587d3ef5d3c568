/**
 * The Cloudflare Workers adapter: artifacts are static assets (the likelihoods folder,
 * bound as ASSETS with run_worker_first so nothing is served without passing the worker),
 * read lazily and memoised per isolate by the store. The frozen networks' SIMD kernel comes
 * precompiled (dense-kernel.wasm, bundled by wrangler): Workers compile no WebAssembly from bytes.
 */
import { createApp } from './app.js';
import denseKernel from './dense-kernel.wasm';
import { setNetworkBackend } from '../models/network/frozen-network.js';
import { useDenseModule } from '../models/network/dense-simd.js';
import { createArtifactStore } from '../models/service/catalogue.js';

export interface WorkerEnv {
  ASSETS: { fetch(request: Request | string): Promise<Response> };
  /** 'typescript' keeps the networks on the TypeScript loops (the bench's side-by-side measurement) */
  NETWORK_BACKEND?: string;
}

useDenseModule(denseKernel);

let app: ReturnType<typeof createApp> | null = null;

export default {
  fetch(request: Request, env: WorkerEnv, ctx: unknown): Response | Promise<Response> {
    if (!app && env.NETWORK_BACKEND === 'typescript') setNetworkBackend('typescript');
    app ??= createApp(
      createArtifactStore(async (path) => {
        const res = await env.ASSETS.fetch(new Request(`https://assets.invalid/${path}`));
        if (res.status === 404) return null;
        if (!res.ok) throw new Error(`asset ${path}: HTTP ${res.status}`);
        return new Uint8Array(await res.arrayBuffer());
      }),
    );
    return app.fetch(request, env, ctx as never);
  },
};
