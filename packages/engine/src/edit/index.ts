export { documentPath, ID_PATTERN } from './paths.ts';
export { saveDraft, publish, type SaveDraftInput, type PublishInput, type SaveResult, type SaveFailure } from './save.ts';
export { diffCards, priceGrid, type PriceChange } from './diff.ts';
export { recordPublished, writeManifest, type ManifestResult } from './manifest.ts';
