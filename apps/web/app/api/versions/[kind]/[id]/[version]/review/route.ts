export { reviewVersion as POST } from '../../../../../../../lib/routes.ts';
