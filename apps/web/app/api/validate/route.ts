export { validate as POST } from '../../../lib/routes.ts';
