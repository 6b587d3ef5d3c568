/**
 * Picks the best TensorFlow.js backend this machine offers (DESIGN.md "Training backends"):
 *
 *   1. `tfjs-node-gpu`: native TensorFlow with CUDA, where the package and CUDA are present;
 *   2. `webgpu`: @tensorflow/tfjs-backend-webgpu on Google's Dawn (the `webgpu` package, a Node
 *      addon shipped prebuilt inside the npm package), wherever Dawn finds a GPU adapter (Vulkan,
 *      Metal or D3D12). Both packages are optional; on a machine without a GPU Dawn offers no
 *      adapter (Debian's software Vulkan, lavapipe, lacks features Dawn requires), so the next
 *      backend is taken with that reason. The adapter's vendor and architecture are recorded;
 *   3. `tfjs-node`: native TensorFlow on the CPU, where its binary was installed (its install
 *      script downloads libtensorflow, which fails on machines without general internet, so
 *      the package is optional and its import may throw);
 *   4. `wasm`: @tensorflow/tfjs-backend-wasm, SIMD, multi-threaded where the platform allows
 *      (in Node the backend's own check says no: tfjs issue 3830, so it runs one thread);
 *   5. `cpu`: tfjs's plain JavaScript kernels, always there.
 *
 * Nothing fails because an optional backend is absent: each candidate is tried, its failure
 * recorded in `tried`, and the next one taken. The choice is logged in one line and returned
 * with what an artifact's provenance records (`provenanceVersions`, `details`).
 *
 * Every backend is the same `@tensorflow/tfjs` namespace (`tf`): the native packages register
 * a backend named 'tensorflow' into the shared tfjs-core engine, and `tf.setBackend` selects
 * it. Training is reproducible on one backend (seeded initialisers and shuffles), not across
 * backends: their kernels sum in different orders.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

export type BackendName = 'tfjs-node-gpu' | 'webgpu' | 'tfjs-node' | 'wasm' | 'cpu';

/** The order tried when nothing is preferred: fastest first. */
export const BACKEND_ORDER: readonly BackendName[] = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'];

/** What a WebGPU adapter says about itself (GPUAdapterInfo), recorded in provenance. */
export interface GpuAdapterDetails {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

export interface BackendDetails {
  /** tfjs-core's name of the active backend: 'tensorflow', 'wasm' or 'cpu' */
  tfBackend: string;
  /** wasm: SIMD in use */
  simd?: boolean;
  /** threads the backend computes on (wasm: the backend's count; native: the machine's cores, TensorFlow's default pool) */
  threads?: number;
  /** wasm: whether the platform allows multi-threading (false in Node, tfjs issue 3830) */
  multiThreadSupported?: boolean;
  /** tfjs-node-gpu: whether TensorFlow saw a GPU (unknown where it cannot be asked); webgpu: true */
  gpu?: boolean | 'unknown';
  /** webgpu: the adapter Dawn chose */
  adapter?: GpuAdapterDetails;
  platform: string;
  cpus: number;
}

export interface BackendSelection {
  name: BackendName;
  /** the tfjs namespace, with `name` active */
  tf: typeof tf;
  details: BackendDetails;
  /** package versions to record in provenance */
  versions: Record<string, string>;
  /** candidates tried before the chosen one, with why they were not taken */
  tried: { name: BackendName; error: string }[];
  /** the one line that was logged */
  summary: string;
}

export interface SelectBackendOptions {
  /**
   * Backend(s) to try first, in order; the rest of BACKEND_ORDER follow unless `fallback`
   * is false. Default: the environment variable LIKELIHOOD_TFJS_BACKEND (one name, or
   * several separated by commas), else BACKEND_ORDER.
   */
  prefer?: BackendName | readonly BackendName[];
  /** fall back to the remaining backends when the preferred ones fail (default true) */
  fallback?: boolean;
  /** wasm threads to ask for where multi-threading is possible (default: the machine's cores) */
  threads?: number;
  /** where the one-line summary goes (default console.error, so stdout stays clean); null: silent */
  log?: ((line: string) => void) | null;
}

function packageVersion(name: string): string | undefined {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

function message(error: unknown): string {
  const text = error instanceof Error ? error.message : typeof error === 'object' && error && 'message' in error ? String((error as { message: unknown }).message) : String(error);
  return text.split('\n')[0].slice(0, 300);
}

const provided = new Map<string, () => Promise<unknown>>();

/**
 * Modules a bundle carries inside itself (scripts/bench/gpu-training.ts): a bundler cannot
 * follow `importOptional`'s computed names, and Node would otherwise load a second copy of
 * tfjs-core from node_modules, whose backend registry the bundled tfjs never sees.
 */
export function provideOptionalModules(modules: Record<string, () => Promise<unknown>>): void {
  for (const [name, load] of Object.entries(modules)) provided.set(name, load);
}

/** Imports a module by a name the type checker does not resolve (optional packages). */
async function importOptional(name: string): Promise<unknown> {
  const load = provided.get(name);
  return load ? load() : import(/* @vite-ignore */ name);
}

async function tryNative(name: 'tfjs-node-gpu' | 'tfjs-node'): Promise<Partial<BackendDetails>> {
  // Importing registers the 'tensorflow' backend (and throws where the binary is missing).
  try {
    await importOptional(name === 'tfjs-node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
  } catch (error) {
    // tfjs-node-gpu, loaded but without a CUDA device, already registered native TensorFlow:
    // it serves as the native CPU backend when tfjs-node itself is not installed.
    if (name !== 'tfjs-node' || !tf.findBackendFactory('tensorflow')) throw error;
  }
  if (!tf.findBackendFactory('tensorflow')) throw new Error(`@tensorflow/${name} loaded but registered no 'tensorflow' backend`);
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`the 'tensorflow' backend of @tensorflow/${name} failed to initialise`);
  await tf.ready();
  const details: Partial<BackendDetails> = { threads: os.availableParallelism?.() ?? os.cpus().length };
  if (name === 'tfjs-node-gpu') {
    // TensorFlow falls back to its CPU kernels silently when CUDA is missing; tfjs-node's
    // backend records whether it placed ops on a GPU (NodeJSKernelBackend.isUsingGpuDevice).
    details.gpu = 'unknown';
    try {
      const b = tf.backend() as unknown as { isUsingGpuDevice?: unknown; binding?: { isUsingGpuDevice?: () => boolean } };
      if (typeof b.isUsingGpuDevice === 'boolean') details.gpu = b.isUsingGpuDevice;
      else if (typeof b.binding?.isUsingGpuDevice === 'function') details.gpu = b.binding.isUsingGpuDevice();
    } catch {
      // keep 'unknown'
    }
    if (details.gpu === false) throw new Error('@tensorflow/tfjs-node-gpu loaded but TensorFlow found no CUDA device');
  }
  return details;
}

/**
 * On Linux Dawn reaches a GPU only through the Vulkan loader. Where there is none, saying so
 * spares loading the addon and its warnings on stderr; the directories are the loader's usual
 * ones and LD_LIBRARY_PATH (scripts/bench/gpu-training.sh unpacks a loader there).
 */
function vulkanLoaderFound(): boolean {
  if (process.platform !== 'linux') return true;
  const triple = `${process.arch === 'arm64' ? 'aarch64' : process.arch === 'x64' ? 'x86_64' : process.arch}-linux-gnu`;
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), `/usr/lib/${triple}`, `/lib/${triple}`, '/usr/lib', '/lib', '/usr/lib64', '/lib64', '/usr/local/lib'];
  return dirs.some((dir) => existsSync(join(dir, 'libvulkan.so.1')));
}

/**
 * Dawn as navigator.gpu, then tfjs-backend-webgpu. The backend registers itself only if
 * navigator.gpu exists when its module is evaluated, so it is imported after the globals are
 * set (a static import would be hoisted above them and register nothing). `window` is defined
 * as on the machine where this was first made to work (../shared/STACK-NOTES.md).
 */
async function tryWebgpu(): Promise<Partial<BackendDetails>> {
  if (!vulkanLoaderFound()) throw new Error('no Vulkan loader (libvulkan.so.1) in the library path, so Dawn can reach no GPU');
  const { create, globals } = (await importOptional('webgpu')) as { create: (flags: string[]) => { requestAdapter(o?: object): Promise<{ info?: Partial<GpuAdapterDetails> } | null> }; globals: object };
  const gpu = create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('Dawn found no GPU adapter (no Vulkan driver with the features it needs)');
  const info = adapter.info ?? {};
  const scope = globalThis as Record<string, unknown>;
  Object.assign(scope, globals);
  scope.navigator = { ...(scope.navigator as object | undefined), gpu };
  scope.window ??= globalThis;
  await importOptional('@tensorflow/tfjs-backend-webgpu');
  if (!tf.findBackendFactory('webgpu')) throw new Error("@tensorflow/tfjs-backend-webgpu loaded but registered no 'webgpu' backend");
  if (!(await tf.setBackend('webgpu'))) throw new Error("the 'webgpu' backend failed to initialise");
  await tf.ready();
  return { gpu: true, adapter: { vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '' } };
}

async function tryWasm(threads: number | undefined): Promise<Partial<BackendDetails>> {
  const wasm = (await importOptional('@tensorflow/tfjs-backend-wasm')) as typeof import('@tensorflow/tfjs-backend-wasm');
  const multi = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) as boolean;
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  if (multi) {
    // must be set before the backend initialises; ignored once it has
    try {
      wasm.setThreadsCount(threads ?? os.availableParallelism?.() ?? os.cpus().length);
    } catch {
      // the backend is already initialised with its count
    }
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
  await tf.ready();
  let count = 1;
  try {
    count = Math.max(1, wasm.getThreadsCount());
  } catch {
    count = 1;
  }
  return { simd, multiThreadSupported: multi, threads: count };
}

async function tryCpu(): Promise<Partial<BackendDetails>> {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
  await tf.ready();
  // The cpu backend prints a multi-line banner recommending tfjs-node on its first use in
  // Node; the one-line summary already says which backends are missing and why.
  const backend = tf.backend() as unknown as { firstUse?: boolean };
  if (backend.firstUse === true) backend.firstUse = false;
  return { threads: 1 };
}

function preferenceFromEnvironment(): BackendName[] | undefined {
  const v = process.env.LIKELIHOOD_TFJS_BACKEND;
  if (!v) return undefined;
  const names = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!BACKEND_ORDER.includes(n as BackendName)) throw new RangeError(`LIKELIHOOD_TFJS_BACKEND: unknown backend '${n}' (one of ${BACKEND_ORDER.join(', ')})`);
  return names as BackendName[];
}

/**
 * Selects, initialises and activates the best available backend (see the module comment),
 * logs one line saying which, and returns it with what to record in provenance.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  const preferred = options.prefer === undefined ? preferenceFromEnvironment() : typeof options.prefer === 'string' ? [options.prefer] : [...options.prefer];
  for (const n of preferred ?? []) if (!BACKEND_ORDER.includes(n)) throw new RangeError(`unknown backend '${n}' (one of ${BACKEND_ORDER.join(', ')})`);
  const fallback = options.fallback ?? true;
  const order: BackendName[] = preferred ? [...preferred, ...(fallback ? BACKEND_ORDER.filter((n) => !preferred.includes(n)) : [])] : [...BACKEND_ORDER];
  const log = options.log === undefined ? (line: string) => console.error(line) : options.log;

  const tried: { name: BackendName; error: string }[] = [];
  for (const name of order) {
    let extra: Partial<BackendDetails>;
    try {
      if (name === 'tfjs-node-gpu' || name === 'tfjs-node') extra = await tryNative(name);
      else if (name === 'webgpu') extra = await tryWebgpu();
      else if (name === 'wasm') extra = await tryWasm(options.threads);
      else extra = await tryCpu();
    } catch (error) {
      tried.push({ name, error: message(error) });
      continue;
    }
    const details: BackendDetails = { tfBackend: tf.getBackend(), ...extra, platform: `${process.platform}-${process.arch}`, cpus: os.availableParallelism?.() ?? os.cpus().length };
    const versions: Record<string, string> = { '@tensorflow/tfjs': tf.version.tfjs };
    const packages = { wasm: ['@tensorflow/tfjs-backend-wasm'], webgpu: ['@tensorflow/tfjs-backend-webgpu', 'webgpu'], cpu: [], 'tfjs-node': ['@tensorflow/tfjs-node'], 'tfjs-node-gpu': ['@tensorflow/tfjs-node-gpu'] }[name];
    for (const pkg of packages) {
      const v = packageVersion(pkg);
      if (v) versions[pkg] = v;
    }
    const parts = [`tfjs ${tf.version.tfjs}`];
    if (details.simd !== undefined) parts.push(`SIMD ${details.simd ? 'on' : 'off'}`);
    if (details.threads !== undefined) parts.push(`${details.threads} thread${details.threads === 1 ? '' : 's'}${name === 'wasm' && !details.multiThreadSupported ? ', multi-threading unavailable here' : ''}`);
    if (details.adapter) parts.push(`adapter ${[details.adapter.vendor, details.adapter.architecture, details.adapter.description].filter(Boolean).join(' ') || 'unnamed'}`);
    else if (details.gpu !== undefined) parts.push(`GPU ${details.gpu}`);
    let summary = `tfjs backend: ${name} (${parts.join(', ')})`;
    if (tried.length) summary += `; not available: ${tried.map((t) => `${t.name} (${t.error.slice(0, 100)})`).join(', ')}`;
    log?.(summary);
    return { name, tf, details, versions, tried, summary };
  }
  throw new Error(`no TensorFlow.js backend could be initialised: ${tried.map((t) => `${t.name}: ${t.error}`).join('; ')}`);
}

/**
 * What an artifact's provenance records about the backend: `versions` (package versions plus
 * 'tfjs-backend': the chosen name) goes into `provenance(…, extraVersions)` of
 * scripts/lib/provenance.ts, `details` into its configuration.
 */
export function backendProvenance(selection: BackendSelection): { versions: Record<string, string>; details: BackendDetails } {
  return { versions: { ...selection.versions, 'tfjs-backend': selection.name }, details: selection.details };
}
