/**
 * @d2ue/datasets: the Med-AD folder loader (`loader:med-ad`) and the one-class MNIST builder (`dataset:mnist`).
 */
export { medAdLoader } from './med-ad/descriptor.js';
export { MedAdLoader } from './med-ad/loader.js';
export { MedAdLoaderOptions } from './med-ad/options.js';
export { readSplits, type MedAdSplits } from './med-ad/data-json.js';
export { mnistBuilder } from './mnist/descriptor.js';
export { MnistBuilder } from './mnist/builder.js';
export { MnistOptions } from './mnist/options.js';
export { readMnistSplit, mnistDataFolder, type MnistSplit } from './mnist/idx.js';
export { selectMnist, type MnistSelection } from './mnist/sample.js';
export { buildFolderAtomically, BUILD_RECORD } from './build-folder.js';
export { decodeGrey, type GreyImage } from './image/decode.js';
export { resizeBilinear } from './image/resample.js';
export { lumaFromInterleaved } from './image/luma.js';
export { register } from './register.js';
