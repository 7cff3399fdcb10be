export { healthRoute as GET } from '../../../lib/health.ts';

// Every call checks the store now: never a cached answer.
export const dynamic = 'force-dynamic';
