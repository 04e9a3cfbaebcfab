// Import rules (`npm run deps`, part of `npm run check`): no import cycles anywhere, and dependencies point one way,
// engine ← tools ← server → transports, with other folders entering the engine through engine/index.ts only;
// cli/ sits on top and imports engine/index.ts and server/index.ts, and nothing imports cli/.
// Type-only imports count: a cycle of types still ties the files together for a reader.
/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'Import cycles make the load order and the reading order ambiguous.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'engine-stays-embeddable',
      comment: 'The engine knows nothing of MCP tools, the server or transports.',
      severity: 'error',
      from: { path: '^engine/' },
      to: { path: '^(tools|server|transports)/' },
    },
    {
      name: 'transports-below-server',
      comment: 'Transports get a server factory injected; they never import tools or the server.',
      severity: 'error',
      from: { path: '^transports/' },
      to: { path: '^(tools|server)/' },
    },
    {
      name: 'tools-below-server',
      comment: 'Tools depend on the engine only, never on the server or transports.',
      severity: 'error',
      from: { path: '^tools/' },
      to: { path: '^(server|transports)/' },
    },
    {
      name: 'cli-on-top',
      comment: 'The s3db command line uses the engine and the server through their faces; nothing imports it.',
      severity: 'error',
      from: { path: '^(engine|tools|server|transports)/' },
      to: { path: '^cli/' },
    },
    {
      name: 'cli-through-faces',
      comment: 'cli/ may import engine/index.ts and server/index.ts only (not tools, transports or deep files).',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: '^(engine|server|tools|transports)/', pathNot: '^(engine|server)/index\\.ts$' },
    },
    {
      name: 'engine-through-its-index',
      comment: "Other layers use the engine's public face, engine/index.ts, never a file deep inside.",
      severity: 'error',
      from: { path: '^(tools|server|transports)/' },
      to: { path: '^engine/', pathNot: '^engine/index\\.ts$' },
    },
    {
      name: 'resolvable',
      comment: 'An import the checker cannot resolve would escape every rule above.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage)/|^test/fixtures/import-rules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.mjs', '.json'],
      // Packages such as p-queue and the MCP SDK expose ESM through package.json "exports" only.
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'node', 'default'],
    },
  },
};
