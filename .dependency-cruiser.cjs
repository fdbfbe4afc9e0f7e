// The house's fences (docs/architecture.md §3), checked by `npm run lint`: an import cycle, or an
// import across a fence below, fails it. ESLint's no-restricted-imports keeps the outbound-request
// rules (eslint.config.js); these are about the layers.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can be read, tested or moved without the other.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'commands-and-jobs-see-no-platform-and-no-redis',
      severity: 'error',
      comment: 'Commands and jobs speak IncomingMessage/OutgoingMessage and reach Redis through the stores only.',
      from: { path: '^(commands|jobs)/' },
      to: { path: ['^src/adapters/', '^src/server/', '^src/outbox/', 'node_modules/(ioredis|bullmq|koa)/'] },
    },
    {
      name: 'core-sees-no-platform',
      severity: 'error',
      comment: 'The router, commands context, scheduler and posts are the same for every platform, and reach the outbox through the ports of src/core/posts.ts.',
      from: { path: '^src/core/' },
      to: { path: ['^src/adapters/', '^src/server/', '^src/outbox/', 'node_modules/(ioredis|koa)/'] },
    },
    {
      name: 'only-the-store-talks-to-redis',
      severity: 'error',
      comment: 'Keys, scripts and encodings live in src/store/; everyone else gets a store (or its RedisClient type, the outbox for BullMQ).',
      from: { path: '^src/', pathNot: '^src/store/' },
      to: { path: 'node_modules/ioredis/' },
    },
    {
      name: 'only-adapters-know-a-platform',
      severity: 'error',
      comment: 'The server, outbox, core and commands see PlatformAdapter and Inbound (src/core/platform.ts); only the composition (src/compose.ts) and the terminal commands (src/cli/) pick adapters.',
      from: { path: '^(src|commands|jobs)/', pathNot: ['^src/adapters/', '^src/compose\\.ts$', '^src/cli/'] },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'one-door-to-the-log-and-the-metrics',
      severity: 'error',
      comment: 'Everyone logs through the Logger of src/core/logger.ts and counts through the Metrics port of src/core/metrics.ts; pino and prom-client each stay behind one file.',
      from: { path: '^(src|commands|jobs)/', pathNot: ['^src/core/logger\\.ts$', '^src/server/metrics\\.ts$'] },
      to: { path: 'node_modules/(pino|prom-client)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
