// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import regexp from 'eslint-plugin-regexp';

// docs/design.md §7, no request to a host the contract does not name: every HTTP request goes through
// src/adapters/http.ts, which checks the origin and never follows a redirect; the one outbound
// socket is the DingTalk Stream client. Flat config replaces a rule's options per block rather
// than merging them, so every block that sets no-restricted-imports repeats these.
const VIA_HTTP = 'Outbound requests go through src/adapters/http.ts (origin check, no redirects).';
const OUTBOUND_PATHS = [
  { name: 'node:http', importNames: ['request', 'get', 'Agent'], message: VIA_HTTP },
  { name: 'node:https', message: VIA_HTTP },
  { name: 'ws', message: 'The only outbound sockets are the DingTalk Stream client (src/adapters/dingtalk/stream.ts), the WeCom long connection (src/adapters/wecom/socket.ts) and duban doctor\'s one subscribe on it (src/adapters/wecom/probe.ts).' },
];
const OUTBOUND_PATTERNS = [{ group: ['undici', 'axios', 'got', 'node-fetch'], message: VIA_HTTP }];
const SOURCES = ['src/**/*.ts', 'commands/**/*.ts', 'jobs/**/*.ts'];
const DOMAIN_PATTERNS = [...OUTBOUND_PATTERNS, { group: ['node:*', 'ioredis', 'koa', '**/store/**', '**/adapters/**'], message: 'domain/ is pure.' }];
const OUTSIDE_DOMAIN = 'domain/ imports nothing of ours from outside domain/.';

export default tseslint.config(
  { ignores: ['dist/', 'data/', 'node_modules/', 'coverage/', '.dependency-cruiser.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Every message a clerk types is matched against these expressions: none may backtrack
    // super-linearly (a crafted message would block the event loop), wherever it is matched.
    files: SOURCES,
    plugins: { regexp },
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
    },
  },
  {
    files: SOURCES,
    ignores: ['src/adapters/http.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'fetch', message: VIA_HTTP }],
      'no-restricted-properties': ['error', { object: 'globalThis', property: 'fetch', message: VIA_HTTP }],
    },
  },
  {
    files: SOURCES,
    ignores: ['src/adapters/dingtalk/stream.ts', 'src/adapters/wecom/socket.ts', 'src/adapters/wecom/probe.ts', 'src/adapters/http.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: OUTBOUND_PATHS, patterns: OUTBOUND_PATTERNS }] },
  },
  {
    // The one HTTP client: undici, and nothing else that opens a connection.
    files: ['src/adapters/http.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: OUTBOUND_PATHS }] },
  },
  {
    // domain/ is pure: no I/O, no clock; and it imports nothing of ours from outside it, so words
    // (src/messages/) and their layouts (src/excel/, src/render/) stay out.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: OUTBOUND_PATHS, patterns: [...DOMAIN_PATTERNS, { regex: '^\\.\\./', message: OUTSIDE_DOMAIN }] }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'domain/ reads no clock: take the time as an argument.' }, { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'domain/ reads no clock: take the time as an argument.' }],
    },
  },
  {
    // A folder inside domain/ (domain/parse/) reaches its siblings one level up, and no further.
    files: ['src/domain/*/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: OUTBOUND_PATHS, patterns: [...DOMAIN_PATTERNS, { regex: '^\\.\\./\\.\\./', message: OUTSIDE_DOMAIN }] }] },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  { files: ['eslint.config.js'], extends: [tseslint.configs.disableTypeChecked] },
);
