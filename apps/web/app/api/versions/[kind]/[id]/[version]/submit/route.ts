export { submitVersion as POST } from '../../../../../../../lib/routes.ts';
