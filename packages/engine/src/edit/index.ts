export { documentPath, ID_PATTERN } from './paths.ts';
export { saveDraft, publish, type SaveDraftInput, type PublishInput, type SaveResult, type SaveFailure } from './save.ts';
export { diffCards, diffFields, priceGrid, type FieldChange, type PriceChange } from './diff.ts';
export { recordPublished, writeManifest, type ManifestResult } from './manifest.ts';
export { reviewState, submitter, submitForReview, reviewDraft, withdraw, type ReviewState, type ReviewStep } from './review.ts';
export { mergeCells, pathKey, type MergeChoices, type MergeConflict, type MergeResult } from './merge.ts';
export { leavesOf, replaceScalar, scalarYaml, setValue, type Leaf, type YamlPath } from './text.ts';
