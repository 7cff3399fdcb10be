export { compareRoute as GET, compareRoute as POST } from '../../../lib/routes.ts';
