/**
 * `duban serve` as an operator runs it — src/cli/serve.ts's serve(), its server and limits — under
 * PREFIX in the test Redis: slow-clients.fault.ts starts it under `ulimit -n 1024`. Run from the
 * build (`node dist/test/faults/helpers/serve-child.js`) with what loadConfig reads (PORT,
 * REDIS_URL, DINGTALK_*) and PREFIX set. Stops on SIGTERM, as serve does.
 */
import { loadConfig } from '../../../src/config.js';
import { serve } from '../../../src/cli/serve.js';

const prefix = process.env.PREFIX;
if (prefix === undefined || prefix === '') throw new Error('PREFIX is not set');
process.exitCode = await serve({ config: loadConfig(process.env), io: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, prefix, interactive: false } });
