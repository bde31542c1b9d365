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
export { warnOnStderr, type WarningSink } from './med-ad/loader.js';
export { readPatients, findPatientLeaks, PATIENTS_FILE, type PatientLeak } from './med-ad/patients.js';
export { type ResizedImages } from './med-ad/decode-cache.js';
export { decodeResized, scaleResized } from './med-ad/resized.js';
export { writeGreyPng } from './image/encode.js';
export { readDicom, type DicomImage } from './dicom/read-dicom.js';
export { toGrey, type DicomConversion } from './dicom/convert.js';
export { prepareDicom, type PrepareDicomOptions } from './dicom/prepare-dicom.js';
export { readLabels, type LabelRow, type LabelColumns } from './dicom/labels-csv.js';
export { splitByPatient, type SplitItem, type SplitLists } from './dicom/split.js';
export { transferSyntaxName } from './dicom/transfer-syntax.js';
export { readNifti, type Volume } from './nifti/read-nifti.js';
export { extractSlice, tissueFraction, type Slice } from './nifti/slices.js';
export { drawLesion, applyLesion, lesionWeight, type Lesion } from './nifti/lesions.js';
export { writeSlices, readVolumes, type NiftiSlicing, type SlicedCounts } from './nifti/prepare-nifti.js';
export { brainMriBuilder } from './brain-mri/descriptor.js';
export { BrainMriBuilder } from './brain-mri/builder.js';
export { BrainMriOptions, MRICRON_TEMPLATES } from './brain-mri/options.js';
export { prepareDicomCommand, prepareNiftiCommand } from './prepare/commands.js';
export { register } from './register.js';
