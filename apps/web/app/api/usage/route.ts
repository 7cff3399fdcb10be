export { usageUpload as POST, usageSummary as GET } from '../../../lib/usage.ts';
