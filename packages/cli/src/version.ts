import pkg from '../package.json' with { type: 'json' };

/** The CLI's version (`creditbook --version`): the package's own, bundled into the build. */
export const VERSION: string = pkg.version;
