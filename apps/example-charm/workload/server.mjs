// The example charm's workload: a tiny HTTP server with no dependencies beyond Node.
//
//   node server.mjs --config /etc/web/config.json    serve (the Pebble service command)
//   node server.mjs --config /etc/web/config.json --stats
//                                                    print the running server's counters as JSON
//
// The config file (written by the charm) holds { port, greeting, rateLimit, debug, tokenFile? }.
// Endpoints: `/` (the greeting), `/alive` and `/ready` (for Pebble's HTTP checks), `/stats`
// (counters; needs `Authorization: Bearer <token>` when a token file is configured).
// The charm pushes this file into the container, so any image with `node` runs it.
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';

function option(name) {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

const configFile = option('--config') ?? '/etc/web/config.json';
const config = JSON.parse(readFileSync(configFile, 'utf8'));
const token =
  typeof config.tokenFile === 'string' ? readFileSync(config.tokenFile, 'utf8').trim() : undefined;

if (process.argv.includes('--stats')) {
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const req = request({ host: '127.0.0.1', port: config.port, path: '/stats', headers }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      body += chunk;
    });
    res.on('end', () => {
      if (res.statusCode !== 200) {
        process.stderr.write(`GET /stats answered ${res.statusCode}\n`);
        process.exitCode = 1;
      }
      process.stdout.write(`${body}\n`);
    });
  });
  req.on('error', (err) => {
    process.stderr.write(`cannot reach the server on port ${config.port}: ${err.message}\n`);
    process.exitCode = 2;
  });
  req.end();
} else {
  const started = Date.now();
  const stats = { requests: 0, rejected: 0 };
  let window = { second: 0, count: 0 };
  const server = createServer((req, res) => {
    stats.requests += 1;
    const second = Math.floor(Date.now() / 1000);
    if (window.second !== second) window = { second, count: 0 };
    window.count += 1;
    if (config.debug) process.stdout.write(`${req.method} ${req.url}\n`);
    const send = (status, body, type = 'text/plain') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.url === '/alive' || req.url === '/ready') return send(200, 'ok\n');
    if (window.count > config.rateLimit) {
      stats.rejected += 1;
      return send(429, 'too many requests\n');
    }
    if (req.url === '/stats') {
      if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
        return send(401, 'unauthorised\n');
      }
      const uptimeSeconds = Math.floor((Date.now() - started) / 1000);
      return send(200, JSON.stringify({ ...stats, uptimeSeconds }), 'application/json');
    }
    if (req.url === '/') return send(200, `${config.greeting}\n`);
    return send(404, 'not found\n');
  });
  server.listen(config.port, () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    process.stdout.write(`listening on port ${port}\n`);
  });
  process.on('SIGTERM', () => server.close());
}
