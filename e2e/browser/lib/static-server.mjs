// A small static server for the built frontend (dist/), with the single-page-app fallback the
// React router needs: a path that is not a file gets index.html.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

export function serveStatic(root, host, port) {
  root = path.resolve(root);
  const index = path.join(root, 'index.html');
  if (!fs.existsSync(index)) throw new Error(`no index.html in ${root}`);
  const server = http.createServer((req, res) => {
    let file;
    try {
      const p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      file = path.join(root, path.normalize(p));
      if (!file.startsWith(root + path.sep)) file = index;
    } catch {
      file = index;
    }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) file = index;
      res.writeHead(200, {
        'Content-Type': TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream',
        'Cache-Control': 'no-store',
      });
      fs.createReadStream(file).pipe(res);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
