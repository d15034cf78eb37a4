// The relaxed-SIMD build of the kernels, in a module of its own: the package ships it as
// dist/relaxed-kernels.js, loaded only when init({ relaxedSimd: true }) asks and the engine runs it.
import relaxedModuleGzip from '../../build/convas-relaxed.wasm.gz';

export default relaxedModuleGzip;
