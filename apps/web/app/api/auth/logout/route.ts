export { logout as POST } from '../../../../lib/routes.ts';
