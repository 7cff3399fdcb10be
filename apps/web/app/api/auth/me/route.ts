export { me as GET } from '../../../../lib/routes.ts';
