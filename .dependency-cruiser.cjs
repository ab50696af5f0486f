// Import structure rules (`npm run lint`): no cycles, layers that point one
// way (node/ composes core, mesh, modules, http, db and lib; core is below
// them all; mesh is below modules), pure helpers stay pure, and a feature
// module reaches another only through its exported service
// (src/modules/<name>/index.ts), never through its tables or internals.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make start-up order and testing fragile.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-module-internals',
      severity: 'error',
      comment: "A module may import another module only through that module's index.ts.",
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/([^/]+)/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'node-is-the-composition-root',
      severity: 'error',
      comment:
        'src/node/ assembles a node from the layers below it; nothing below imports it. Contracts (NodeContext, ReplicationApi, MeshView, Job, identity, config) live in src/core/.',
      from: { path: '^src/(core|mesh|modules|http|db|lib)/' },
      to: { path: '^src/node/' },
    },
    {
      name: 'core-is-below',
      severity: 'error',
      comment: 'src/core/ holds the contracts every layer shares: it imports none of the layers that implement them.',
      from: { path: '^src/core/' },
      to: { path: '^src/(mesh|modules|node|cli)/' },
    },
    {
      name: 'mesh-below-modules',
      severity: 'error',
      comment: 'The peer protocol knows nothing of the business: modules use the mesh, never the other way round.',
      from: { path: '^src/mesh/' },
      to: { path: '^src/(modules|cli)/' },
    },
    {
      name: 'lib-is-pure',
      severity: 'error',
      comment: 'src/lib holds small pure helpers with no I/O: they import nothing else of ours.',
      from: { path: '^src/lib/' },
      to: { path: '^src/(?!lib/)' },
    },
    {
      name: 'no-test-code-in-src',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      to: { path: '(^test/|\\.test\\.ts$)' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
