export { getVersion as GET } from '../../../../../../lib/routes.ts';
