export { publishVersion as POST } from '../../../../../../../lib/routes.ts';
