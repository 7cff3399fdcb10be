export { quoteGet as GET, quotePost as POST } from '../../../lib/routes.ts';
