import { describe, expect, it } from 'vitest';
import { BACKEND_ORDER, backendProvenance, selectBackend, type BackendName } from '../../../scripts/training/backend.js';

describe('tfjs backend selection', () => {
  it('picks the best available backend without failing, names it in one logged line, and records why others were skipped', async () => {
    const lines: string[] = [];
    const selection = await selectBackend({ log: (line) => lines.push(line), prefer: [...BACKEND_ORDER] });
    expect(BACKEND_ORDER).toContain(selection.name);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`tfjs backend: ${selection.name}`);
    expect(selection.summary).toBe(lines[0]);
    // everything tried before the choice comes earlier in the order and failed with a reason
    const chosenAt = BACKEND_ORDER.indexOf(selection.name);
    expect(selection.tried.map((t) => t.name)).toEqual(BACKEND_ORDER.slice(0, chosenAt));
    for (const t of selection.tried) expect(t.error.length).toBeGreaterThan(0);
    expect(selection.versions['@tensorflow/tfjs']).toMatch(/^\d+\.\d+\.\d+/);
    expect(selection.tf.getBackend()).toBe(selection.details.tfBackend);
    expect(selection.details.threads).toBeGreaterThanOrEqual(1);
    expect(backendProvenance(selection).versions['tfjs-backend']).toBe(selection.name);
    // it computes
    expect(Array.from(selection.tf.tidy(() => selection.tf.tensor1d([1, 2, 3]).square().dataSync()))).toEqual([1, 4, 9]);
  });

  it('falls back when the preferred native backends are absent (tfjs-node without its binary here)', async () => {
    const selection = await selectBackend({ prefer: ['tfjs-node-gpu', 'tfjs-node'], log: null });
    expect(BACKEND_ORDER).toContain(selection.name);
    if (selection.name !== 'tfjs-node-gpu' && selection.name !== 'tfjs-node') {
      // the preferred ones first, then the rest of the order (webgpu) up to the one taken
      expect(selection.tried.map((t) => t.name).slice(0, 2)).toEqual(['tfjs-node-gpu', 'tfjs-node']);
      expect(selection.tried.map((t) => t.name).slice(2)).toEqual(BACKEND_ORDER.filter((n) => n === 'webgpu' && selection.name !== 'webgpu'));
      expect(selection.summary).toMatch(/not available: tfjs-node-gpu \(.+\), tfjs-node \(.+\)/);
    }
  });

  it('webgpu: without a GPU adapter (or without the optional packages) the next backend is taken, with the reason logged', async () => {
    const lines: string[] = [];
    const selection = await selectBackend({ prefer: ['webgpu', 'cpu'], log: (line) => lines.push(line) });
    if (selection.name === 'webgpu') {
      // on a machine with a GPU: the adapter is named in the log and in provenance
      expect(selection.details.adapter).toBeDefined();
      expect(selection.versions['@tensorflow/tfjs-backend-webgpu']).toBe('4.22.0');
      expect(lines[0]).toContain('adapter');
    } else {
      expect(selection.name).toBe('cpu');
      expect(selection.tried[0].name).toBe('webgpu');
      // Dawn loaded and found no adapter, or an optional package is not installed
      expect(selection.tried[0].error).toMatch(/no GPU adapter|no Vulkan loader|Cannot find (package|module) '(webgpu|@tensorflow\/tfjs-backend-webgpu)'/);
      expect(lines[0]).toBe(selection.summary);
      expect(lines[0]).toContain(`not available: webgpu (${selection.tried[0].error.slice(0, 100)})`);
    }
  });

  it('wasm reports SIMD and its thread count; cpu is always there', async () => {
    const wasm = await selectBackend({ prefer: 'wasm', log: null });
    if (wasm.name === 'wasm') {
      expect(typeof wasm.details.simd).toBe('boolean');
      expect(wasm.details.threads).toBeGreaterThanOrEqual(1);
      if (!wasm.details.multiThreadSupported) expect(wasm.details.threads).toBe(1);
      expect(wasm.versions['@tensorflow/tfjs-backend-wasm']).toBeDefined();
    }
    const cpu = await selectBackend({ prefer: 'cpu', log: null });
    expect(cpu.name).toBe('cpu');
    expect(cpu.tf.getBackend()).toBe('cpu');
    expect(cpu.tried).toEqual([]);
  });

  it('without fallback, an unavailable backend is an error that says why; unknown names are refused', async () => {
    const available = await selectBackend({ prefer: 'tfjs-node-gpu', log: null });
    if (available.name !== 'tfjs-node-gpu') await expect(selectBackend({ prefer: 'tfjs-node-gpu', fallback: false, log: null })).rejects.toThrow(/tfjs-node-gpu/);
    await expect(selectBackend({ prefer: 'webgl' as BackendName, log: null })).rejects.toThrow(/unknown backend/);
  });
});
