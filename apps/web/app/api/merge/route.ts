export { mergeEdit as POST } from '../../../lib/routes.ts';
