/**
 * Requests as a forger sends them: any method, headers and query, a body that may lie about its
 * length or come in chunks with none — what fetch would tidy up. Resolves with the answer, also
 * when the server answers and hangs up before the body was all sent (as it does past 64 KB).
 */
import { request } from 'node:http';

export interface RawRequest {
  method?: string;
  /** Path and query, e.g. `/wecom/callback?msg_signature=…`. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Sent in pieces of this many bytes with `Transfer-Encoding: chunked` and no Content-Length. */
  chunked?: number;
}

export interface RawAnswer {
  status: number;
  body: string;
}

export function send(base: string, req: RawRequest): Promise<RawAnswer> {
  const url = new URL(base);
  const body = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : (req.body ?? Buffer.alloc(0));
  const headers: Record<string, string> = { ...req.headers };
  if (req.chunked === undefined) headers['content-length'] ??= String(body.length);
  return new Promise((resolve, reject) => {
    let answered = false;
    const out = request({ host: url.hostname, port: url.port, method: req.method ?? 'POST', path: req.path, headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }); });
      res.on('error', reject);
    });
    // Writing on after the server has answered and closed fails (EPIPE, ECONNRESET): the answer is what counts.
    out.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (req.chunked === undefined) {
      out.end(body);
      return;
    }
    for (let at = 0; at < body.length; at += req.chunked) out.write(body.subarray(at, at + req.chunked));
    out.end();
  });
}
