export { getDocument as GET } from '../../../../../lib/routes.ts';
