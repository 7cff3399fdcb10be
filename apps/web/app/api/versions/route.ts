export { saveVersion as POST } from '../../../lib/routes.ts';
