export { platformsExportRoute as GET } from '../../../../lib/platforms.ts';
