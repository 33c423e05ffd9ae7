// What the browser test and the browser benchmark share: Playwright from web/node_modules, a
// static server for the built site on 127.0.0.1 that counts what it sends, and Debian's Chromium
// headless with the flags that give WebGL 2 on this kind of machine (SwiftShader).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

// Exit code when playwright-core or Chromium is missing: a failure (scripts/setup.sh installs both).
export const MISSING = 2;

export function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

export function loadChromium(webDir, chromiumPath) {
  let chromium;
  try {
    ({ chromium } = createRequire(path.join(webDir, 'package.json'))('playwright-core'));
  } catch (e) {
    console.log(`FAIL: playwright-core is not installed in web/node_modules (run scripts/setup.sh): ${e.message}`);
    process.exit(MISSING);
  }
  if (!fs.existsSync(chromiumPath)) {
    console.log(`FAIL: no Chromium at ${chromiumPath} (apt-get install chromium, or run scripts/setup.sh)`);
    process.exit(MISSING);
  }
  return chromium;
}

const mime = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.json': 'application/json', '.elf': 'application/octet-stream',
};

// Serves siteDir; `traffic` counts bytes and requests, and lists paths that were not found.
export async function serveSite(siteDir) {
  if (!fs.existsSync(path.join(siteDir, 'index.html'))) {
    console.error(`FAIL: no site in ${siteDir} (build the wasm preset first: bash scripts/build.sh wasm)`);
    process.exit(1);
  }
  const traffic = { bytes: 0, requests: 0, missing: [] };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let file = path.normalize(path.join(siteDir, decodeURIComponent(url.pathname)));
    if (!file.startsWith(siteDir)) file = path.join(siteDir, '__outside__');
    if (url.pathname.endsWith('/')) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      traffic.requests++;
      if (err) {
        traffic.missing.push(url.pathname);
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found');
        return;
      }
      traffic.bytes += data.length;
      res.writeHead(200, { 'Content-Type': mime[path.extname(file)] || 'application/octet-stream',
                           'Content-Length': data.length, 'Cache-Control': 'no-store' });
      res.end(data);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, traffic, origin: `http://127.0.0.1:${server.address().port}` };
}

// A fresh profile and the flags that make headless WebGL 2 work without network noise.
// Returns the browser context and its profile folder (remove it when done).
export async function launchBrowser(chromium, chromiumPath, headed = false) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vmscope-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: !headed,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-gpu', '--disable-quic',
           '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { context, profile };
}
