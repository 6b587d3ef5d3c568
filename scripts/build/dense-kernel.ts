/**
 * Writes functions/dense-kernel.wasm: the frozen runtime's SIMD kernel (models/network/dense-simd.ts
 * `denseKernelBytes()`) as a file the Workers bundle imports precompiled (Workers refuse to compile
 * WebAssembly from bytes at run time). `npm run build:wasm` after changing the kernel; a test
 * fails while the file and the generator differ.
 */
import { writeFileSync } from 'node:fs';
import { denseKernelBytes } from '../../models/network/dense-simd.js';

export const DENSE_KERNEL_FILE = 'functions/dense-kernel.wasm';

if (import.meta.url === `file://${process.argv[1]}`) {
  const bytes = denseKernelBytes();
  writeFileSync(DENSE_KERNEL_FILE, bytes);
  console.log(`wrote ${DENSE_KERNEL_FILE}: ${bytes.length} bytes`);
}
