/** A `.wasm` import: wrangler bundles it as a precompiled WebAssembly.Module (its CompiledWasm rule). */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
