export { diffVersions as GET } from '../../../../../../lib/routes.ts';
