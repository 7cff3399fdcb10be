export { portfolioRoute as GET } from '../../../lib/portfolio.ts';
