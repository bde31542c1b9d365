/**
 * Registers tfjs's gradient functions. `@tensorflow/tfjs-core`'s Node build ships none (they sit in ESM files
 * Node cannot load); the `@tensorflow/tfjs` bundle registers them on the one shared copy of tfjs-core when it is
 * imported. It also registers the `cpu` backend and a `webgl` backend that never initialises in Node, which
 * `selectBackend` never picks.
 */
import '@tensorflow/tfjs';
