export { backtestRoute as GET } from '../../../lib/usage.ts';
