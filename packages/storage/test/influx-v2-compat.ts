// InfluxDB 1.8's 2.x compatibility layer, in front of the real influxd 1.6 the tests run (1.6 predates it). It does
// what 1.8 does before its v1 engine sees a request: `Authorization: Token user:password` becomes the user's
// credentials, `/api/v2/write?bucket=db[/rp]&precision=ns|us|ms|s` becomes `/write?db=..&rp=..&precision=..`, and
// `/api/v2/delete` with a `_measurement="..."` predicate (and an optional `entity_id="..."`) becomes an InfluxQL
// DELETE over [start, stop].
// Everything else passes through untouched, so the data, the answers and the errors are the real server's.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { freePort } from '@homeiq/core/testing/temp';

export interface V2Compat {
  url: string;
  /** Method and path (with query) of every request, in order. */
  requests: string[];
  /** The Authorization scheme of every request ('Token', 'Basic' or 'none'). */
  schemes: string[];
  close(): Promise<void>;
}

const EARLIEST_MS = Date.parse('1677-09-21T00:12:44Z');
const V1_PRECISION: Record<string, string> = { ns: 'n', us: 'u', ms: 'ms', s: 's' };

function credentials(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Token ')) return header || undefined;
  return `Basic ${Buffer.from(header.slice('Token '.length)).toString('base64')}`;
}

function v2Error(status: number, message: string): { status: number; body: string } {
  return { status, body: JSON.stringify({ code: status === 401 ? 'unauthorized' : 'invalid', message }) };
}

/** The InfluxQL of a v2 delete request, or an error. Only the `_measurement` predicate HomeIQ sends is needed. */
function deleteStatement(body: string): string | { error: string } {
  const req = JSON.parse(body) as { start?: string; stop?: string; predicate?: string };
  const m = /^_measurement="((?:[^"\\]|\\.)*)"(?: AND entity_id="((?:[^"\\]|\\.)*)")?$/.exec(req.predicate ?? '');
  if (!m || !req.start || !req.stop) return { error: `unsupported delete request: ${body}` };
  const name = m[1]!.replace(/\\(.)/g, '$1').replace(/"/g, '\\"');
  const entity = m[2]?.replace(/\\(.)/g, '$1');
  const tag = entity === undefined ? '' : `"entity_id" = '${entity.replace(/[\\']/g, '\\$&')}' AND `;
  // The smallest time there is (what clients send to mean "from the start") is below what InfluxQL can write.
  const from = Date.parse(req.start) <= EARLIEST_MS ? '' : `time >= '${req.start}' AND `;
  return `DELETE FROM "${name}" WHERE ${tag}${from}time <= '${req.stop}'`;
}

export async function startV2Compat(target: string): Promise<V2Compat> {
  const requests: string[] = [];
  const schemes: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://compat');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    schemes.push(req.headers.authorization?.split(' ')[0] ?? 'none');
    const headers: Record<string, string> = {};
    const auth = credentials(req);
    if (auth) headers.authorization = auth;
    if (req.headers['content-type']) headers['content-type'] = req.headers['content-type'];
    let path = `${url.pathname}${url.search}`;
    let forwardBody = req.method === 'POST' ? body.toString('utf8') : undefined;
    let answer: { status: number; body: string } | undefined;
    if (url.pathname === '/api/v2/write') {
      const [db, rp] = (url.searchParams.get('bucket') ?? '').split('/');
      const precision = V1_PRECISION[url.searchParams.get('precision') ?? 'ns'];
      if (!db) answer = v2Error(400, 'bucket is required');
      else if (!precision) answer = v2Error(400, `invalid precision ${url.searchParams.get('precision')}`);
      else {
        const q = new URLSearchParams({ db, precision });
        if (rp) q.set('rp', rp);
        path = `/write?${q}`;
      }
    } else if (url.pathname === '/api/v2/delete') {
      const [db] = (url.searchParams.get('bucket') ?? '').split('/');
      const statement = deleteStatement(body.toString('utf8'));
      if (!db || typeof statement !== 'string') answer = v2Error(400, db ? statement.toString() : 'bucket required');
      else {
        path = '/query';
        headers['content-type'] = 'application/x-www-form-urlencoded';
        forwardBody = new URLSearchParams({ db, q: statement }).toString();
      }
    }
    if (!answer) {
      const upstream = await fetch(`${target}${path}`, {
        method: req.method ?? 'GET',
        headers,
        ...(forwardBody !== undefined ? { body: forwardBody } : {}),
      });
      const text = await upstream.text();
      if (url.pathname !== '/api/v2/delete' || upstream.status !== 200)
        answer = { status: upstream.status, body: text };
      else {
        const failed = (JSON.parse(text) as { results?: Array<{ error?: string }> }).results?.[0]?.error;
        answer = failed ? v2Error(400, failed) : { status: 204, body: '' };
      }
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(answer.body);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    schemes,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
