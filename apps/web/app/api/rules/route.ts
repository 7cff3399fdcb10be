export { listRules as GET } from '../../../lib/routes.ts';
