export { login as POST } from '../../../../lib/routes.ts';
