export { exportRoute as GET, exportRoute as POST } from '../../../lib/routes.ts';
