// `npm run www`: serves the built site (www/dist) on localhost. Sends the cross-origin isolation
// headers (COOP/COEP) that SharedArrayBuffer, hence wasm threads, will need.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.webmanifest': 'application/manifest+json',
};

const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  // Always revalidate: offline use is the service worker's job, not the HTTP cache's.
  'Cache-Control': 'no-cache',
};

/**
 * Serves the files under `root` on 127.0.0.1:`port` (0: any free port), with `headers` over the
 * defaults (a test serves as a host that lets browsers cache); resolves with the server and its URL.
 */
export function serveStatic(root, port = 0, headers = {}) {
  const base = resolve(root);
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    let file = resolve(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) return send(response, 403, 'forbidden');
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      response.writeHead(200, { ...HEADERS, ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      send(response, 404, 'not found');
    }
  });
  return new Promise((resolveServer, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolveServer({ server, url: `http://localhost:${server.address().port}/` }));
  });
}

function send(response, status, text) {
  response.writeHead(status, { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(text);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { url } = await serveStatic('www/dist', Number(process.env.PORT ?? 8080));
  console.log(`convas site: ${url}  (build it first with npm run build:www; Ctrl+C stops)`);
}
