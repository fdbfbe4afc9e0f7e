/**
 * The shipped nginx site (deploy/nginx/duban.conf) run by a test: a temp directory with a main
 * nginx.conf that includes a copy of the site, an upstream file with the test's instances, and a
 * certificate made with openssl for the site's name. The copy differs from the shipped site only
 * where a test must: the listening ports (in the test's range, on 127.0.0.1) and the log
 * directory (the temp directory, not /var/log/nginx) — `siteForTest` checks each is there.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const NGINX = '/usr/sbin/nginx';
export const SITE_FILE = resolve('deploy/nginx/duban.conf');
export const UPSTREAM_FILE = resolve('deploy/nginx/upstream.conf');
/** The site's server_name, and the name its test certificate is made for. */
export const SITE_NAME = 'duban.example.gov.cn';

export interface SitePorts {
  /** Where the site's `listen 443 ssl http2` listens instead. */
  tls: number;
  /** Where its `listen 80` (the redirect to HTTPS) listens instead. */
  plain: number;
}

/** Replaces `from` in `text`, which must hold it exactly `times` times. */
function replaceExactly(text: string, from: string, to: string, times: number): string {
  const found = text.split(from).length - 1;
  if (found !== times) throw new Error(`the nginx site holds "${from}" ${String(found)} times, not ${String(times)}: update test/helpers/nginx.ts`);
  return text.replaceAll(from, to);
}

/** The shipped site with its logs in `logDir`, and with `ports`, its listeners moved there. */
export function siteForTest(site: string, logDir: string, ports?: SitePorts): string {
  let text = replaceExactly(site, 'access_log /var/log/nginx/', `access_log ${logDir}/`, 2);
  if (ports) {
    text = replaceExactly(text, 'listen 443 ssl http2;', `listen 127.0.0.1:${String(ports.tls)} ssl http2;`, 1);
    text = replaceExactly(text, 'listen 80;', `listen 127.0.0.1:${String(ports.plain)};`, 1);
  }
  return text;
}

export interface NginxDir {
  dir: string;
  /** The main configuration file, for `nginx -c`. */
  conf: string;
  errorLog: string;
  /** The site's access log (its `duban` format: no query strings, the upstream that answered). */
  accessLog: string;
  /** The test certificate, to trust in a client. */
  ca: string;
  remove(): void;
}

/**
 * Writes the temp directory: main conf, the site (`siteForTest`), `duban/upstream.conf` (the
 * shipped one, or one listing `upstreams`), `duban/tls/` with a fresh certificate.
 */
export function prepareNginx(opts: { ports?: SitePorts; upstreams?: readonly number[] } = {}): NginxDir {
  const dir = mkdtempSync(join(tmpdir(), 'duban-nginx-'));
  // nginx's workers run as `nobody` when the test runs as root: they must reach the temp paths.
  chmodSync(dir, 0o755);
  for (const sub of ['logs', 'tmp', 'duban/tls']) mkdirSync(join(dir, sub), { recursive: true });
  const tls = join(dir, 'duban', 'tls');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${SITE_NAME}`, '-addext', `subjectAltName=DNS:${SITE_NAME}`,
    '-keyout', join(tls, 'privkey.pem'), '-out', join(tls, 'fullchain.pem'),
  ], { stdio: 'ignore' });

  const upstream = opts.upstreams
    ? `upstream duban {\n${opts.upstreams.map((p) => `    server 127.0.0.1:${String(p)} max_fails=1 fail_timeout=10s;\n`).join('')}    keepalive 16;\n    keepalive_timeout 4s;\n}\n`
    : readFileSync(UPSTREAM_FILE, 'utf8');
  writeFileSync(join(dir, 'duban', 'upstream.conf'), upstream);
  const logs = join(dir, 'logs');
  writeFileSync(join(dir, 'duban.conf'), siteForTest(readFileSync(SITE_FILE, 'utf8'), logs, opts.ports));

  const temp = (name: string): string => `${name}_temp_path ${join(dir, 'tmp', name)};`;
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, [
    'worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(logs, 'error.log')} warn;`,
    'events { worker_connections 256; }',
    'http {',
    // Everything nginx writes stays in the temp directory.
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((n) => `    ${temp(n)}`),
    `    include ${join(dir, 'duban.conf')};`,
    '}',
    '',
  ].join('\n'));
  return {
    dir,
    conf,
    errorLog: join(logs, 'error.log'),
    accessLog: join(logs, 'duban.access.log'),
    ca: readFileSync(join(tls, 'fullchain.pem'), 'utf8'),
    remove: () => { rmSync(dir, { recursive: true, force: true }); },
  };
}

const args = (prepared: NginxDir): string[] => ['-p', prepared.dir, '-c', prepared.conf, '-e', prepared.errorLog];

/** `nginx -t` on the prepared configuration: its exit code and what it said. */
export function testConfig(prepared: NginxDir): { ok: boolean; output: string } {
  const run = spawnSync(NGINX, ['-t', ...args(prepared)], { encoding: 'utf8' });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}${run.error?.message ?? ''}` };
}

export interface Nginx {
  /** `https://127.0.0.1:PORT`. */
  base: string;
  prepared: NginxDir;
  /** The access log's lines so far. */
  accessLines(): string[];
  /** One HTTPS request to the site, trusting only its test certificate; never kept alive. */
  fetch(path: string, init?: { method?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<HttpsAnswer>;
  stop(): Promise<void>;
}

export interface HttpsAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function answers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); done(true); });
    socket.once('error', () => { done(false); });
  });
}

/** Starts nginx in the foreground on the prepared directory; resolves once the TLS port answers. */
export async function startNginx(prepared: NginxDir, ports: SitePorts): Promise<Nginx> {
  const child: ChildProcess = spawn(NGINX, [...args(prepared), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  child.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString('utf8')));
  const exited = new Promise<void>((done) => child.once('exit', () => { done(); }));
  const deadline = Date.now() + 10_000;
  while (!(await answers(ports.tls))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const log = existsSync(prepared.errorLog) ? readFileSync(prepared.errorLog, 'utf8') : '';
      throw new Error(`nginx did not start: ${said}${log}`);
    }
    await new Promise((wait) => setTimeout(wait, 50));
  }
  const base = `https://127.0.0.1:${String(ports.tls)}`;
  return {
    base,
    prepared,
    accessLines: () => (existsSync(prepared.accessLog) ? readFileSync(prepared.accessLog, 'utf8').split('\n').filter((l) => l !== '') : []),
    fetch: (path, init = {}) =>
      new Promise<HttpsAnswer>((done, fail) => {
        const options: RequestOptions = {
          host: '127.0.0.1',
          port: ports.tls,
          path,
          method: init.method ?? 'GET',
          servername: SITE_NAME,
          ca: prepared.ca,
          agent: false,
          headers: { host: SITE_NAME, ...init.headers },
        };
        const req = request(options, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => { done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }); });
          res.on('error', fail);
        });
        req.on('error', fail);
        req.end(init.body);
      }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        // SIGTERM: nginx's fast shutdown; the workers go with the master.
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
