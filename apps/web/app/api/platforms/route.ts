export { platformsRoute as GET } from '../../../lib/platforms.ts';
