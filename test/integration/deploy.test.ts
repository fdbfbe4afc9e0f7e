/**
 * The deployment files in deploy/ (README, "Deploying"): the nginx site passes `nginx -t`, the
 * Redis configuration starts a redis-server that keeps the AOF and evicts nothing, the compose
 * file is what `docker compose config` accepts (where the compose plugin is installed; elsewhere
 * its structure is read with `yaml`), the systemd unit is what `systemd-analyze verify` accepts.
 * test/faults/three-instances.fault.ts runs the same nginx site in front of three instances.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { prepareNginx, SITE_FILE, siteForTest, testConfig, type NginxDir } from '../helpers/nginx.js';
import { dubanNodeFlags } from '../helpers/node-flags.js';

/** This file's private redis-server (the range 17500–17599 is this test's and the three-instance test's). */
const REDIS_PORT = 17550;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function prepared(opts: Parameters<typeof prepareNginx>[0] = {}): NginxDir {
  const dir = prepareNginx(opts);
  cleanups.push(() => { dir.remove(); });
  return dir;
}

describe('the nginx site', () => {
  it('passes nginx -t with the shipped upstream file and a certificate in duban/tls/', () => {
    const result = testConfig(prepared());
    expect(result.output).toContain('test is successful');
    expect(result.ok).toBe(true);
  });

  it('fails nginx -t without its certificate, so the check above checks something', () => {
    const dir = prepared();
    rmSync(join(dir.dir, 'duban', 'tls', 'fullchain.pem'));
    const result = testConfig(dir);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('fullchain.pem');
  });

  it('differs in the test copy only in its listening ports and log directory', () => {
    const site = readFileSync(SITE_FILE, 'utf8');
    const copy = siteForTest(site, '/tmp/logs', { tls: 17501, plain: 17502 });
    const changed = copy.split('\n').filter((line, i) => line !== site.split('\n')[i]).map((l) => l.trim());
    expect(changed).toEqual(['listen 127.0.0.1:17502;', 'access_log /tmp/logs/duban.access.log duban;', 'listen 127.0.0.1:17501 ssl http2;', 'access_log /tmp/logs/duban.access.log duban;']);
  });
});

describe('the Redis configuration', () => {
  it('starts a redis-server that appends every write to its AOF, fsyncs every second and evicts nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'duban-redis-conf-'));
    cleanups.push(() => { rmSync(dir, { recursive: true, force: true }); });
    // The shipped file as it is; the command line moves only its port and data directory.
    // Without test:dates' libfaketime: redis-server cannot start under it (test/dates.sh).
    const server = spawn('redis-server', [join(process.cwd(), 'deploy/redis.conf'), '--port', String(REDIS_PORT), '--dir', dir], { stdio: 'ignore', env: withoutFaketime() });
    const exited = new Promise((done) => server.once('exit', done));
    cleanups.push(async () => {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
      await exited;
    });
    // ioredis retries until the server listens; it gives up after 10 s.
    const client = new Redis({ port: REDIS_PORT, host: '127.0.0.1', retryStrategy: (n) => (n > 200 ? null : 50) });
    client.on('error', () => undefined);
    cleanups.push(() => { client.disconnect(); });
    const setting = async (name: string): Promise<string | undefined> => (await client.config('GET', name))[1];

    expect(await setting('appendonly')).toBe('yes');
    expect(await setting('appendfsync')).toBe('everysec');
    expect(await setting('maxmemory-policy')).toBe('noeviction');
    expect(await setting('protected-mode')).toBe('yes');
    expect(await setting('bind')).toBe('127.0.0.1 -::1');
  });
});

const Service = z.object({
  image: z.string().optional(),
  build: z.object({ context: z.string(), dockerfile: z.string() }).optional(),
  command: z.union([z.string(), z.array(z.string())]),
  environment: z.record(z.string(), z.string()).optional(),
  volumes: z.array(z.string()),
  healthcheck: z.object({ test: z.array(z.string()).min(2), interval: z.string(), timeout: z.string(), retries: z.number().int().positive() }),
  restart: z.string(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
});
const Compose = z.object({
  services: z.object({ bot: Service, redis: Service }),
  volumes: z.record(z.string(), z.unknown()),
});

const composeAvailable = (): boolean => spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;

describe('the compose file', () => {
  it('runs the bot and Redis with the AOF, noeviction, volumes and health checks', () => {
    const file = 'deploy/docker-compose.yml';
    if (composeAvailable()) {
      // Docker's own reading of it, interpolation included.
      const env = { ...process.env, REDIS_PASSWORD: 'compose-check-password' };
      const normalized = execFileSync('docker', ['compose', '-f', file, 'config'], { encoding: 'utf8', env });
      expect(normalized).toContain('noeviction');
    }
    // Read as YAML, as compose reads it (the plugin is not installed everywhere this runs).
    const compose = Compose.parse(parse(readFileSync(file, 'utf8')));
    const { bot, redis } = compose.services;
    const redisCommand = Array.isArray(redis.command) ? redis.command.join(' ') : redis.command;
    expect(redisCommand).toMatch(/--appendonly yes\b/);
    expect(redisCommand).toMatch(/--maxmemory-policy noeviction\b/);
    expect(redisCommand).toContain('/usr/local/etc/redis/redis.conf');
    expect(redis.volumes).toContain('./redis.conf:/usr/local/etc/redis/redis.conf:ro');
    expect(redis.volumes.some((v) => v.endsWith(':/data'))).toBe(true);
    expect(bot.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
    expect(bot.depends_on?.redis?.condition).toBe('service_healthy');
    expect(bot.environment?.REDIS_URL).toMatch(/^redis:\/\/:\$\{REDIS_PASSWORD\}@redis:6379/);
    expect(bot.healthcheck.test.join(' ')).toContain('/healthz');
    expect(redis.healthcheck.test.join(' ')).toContain('ping');
    // Every named volume a service mounts is declared.
    const named = [...bot.volumes, ...redis.volumes].map((v) => v.split(':')[0] ?? '').filter((v) => !v.startsWith('.') && !v.startsWith('/'));
    expect(named.filter((v) => !(v in compose.volumes))).toEqual([]);
    expect(named.length).toBeGreaterThanOrEqual(2);
  });

  it('builds an image that runs duban serve as an unprivileged user', () => {
    const dockerfile = readFileSync('deploy/Dockerfile', 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-slim AS build$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["dist\/src\/cli\/index\.js"\]$/m);
    expect(dockerfile).toMatch(/^CMD \["serve"\]$/m);
    // What the build reads beside dist/ at run time (src/store/scripts.ts, src/render/font.ts, src/paths.ts).
    for (const dir of ['src/store/scripts', 'src/render/fonts', 'examples']) expect(dockerfile).toContain(`COPY ${dir} ./${dir}`);
  });
});

describe('the systemd unit', () => {
  it('runs duban serve on the port its instance names, restarts it always, and passes systemd-analyze verify', () => {
    const unit = readFileSync('deploy/duban@.service', 'utf8');
    const lines = new Set(unit.split('\n'));
    expect(lines).toContain('ExecStart=/usr/bin/env PORT=%i /opt/duban/dist/src/cli/index.js serve');
    expect(lines).toContain('Restart=always');
    expect(lines).toContain('EnvironmentFile=/etc/duban/duban.env');
    expect(lines).toContain('NoNewPrivileges=yes');
    expect(lines).toContain('ProtectSystem=strict');
    if (spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0) {
      // verify checks a template through a copy of it under an instance's name's template; it
      // says nothing when the unit is fine (--man=no: the documentation links are not checked).
      const dir = mkdtempSync(join(tmpdir(), 'duban-unit-'));
      cleanups.push(() => { rmSync(dir, { recursive: true, force: true }); });
      writeFileSync(join(dir, 'duban@.service'), unit);
      const verified = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, 'duban@.service')], { encoding: 'utf8' });
      expect(`${verified.stdout}${verified.stderr}`.split('\n').filter((l) => l.includes('duban@'))).toEqual([]);
    }
  });
});

/** The environment without libfaketime's preload and settings. */
function withoutFaketime(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'LD_PRELOAD' && !name.startsWith('FAKETIME') && name !== 'DYLD_INSERT_LIBRARIES'));
}

describe('the duban program', () => {
  it('starts node with an 8 MB young generation, a fixed heap growing factor and baseline WebAssembly, flags this node accepts', () => {
    const flags = dubanNodeFlags();
    expect(flags).toEqual(expect.arrayContaining(['--max-semi-space-size=8', '--heap-growing-percent=20', '--liftoff-only']));
    // Node refuses to start on a flag it does not know: the program would not run at all.
    const probe = spawnSync(process.execPath, [...flags, '-e', ''], { encoding: 'utf8' });
    expect(probe.stderr).toBe('');
    expect(probe.status).toBe(0);
  });
});
