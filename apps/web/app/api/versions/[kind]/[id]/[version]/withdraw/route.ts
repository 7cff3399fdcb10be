export { withdrawVersion as POST } from '../../../../../../../lib/routes.ts';
