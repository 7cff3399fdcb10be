export { forecastRoute as GET, forecastRoute as POST } from '../../../lib/routes.ts';
