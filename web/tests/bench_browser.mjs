// Browser benchmark: runs bundled compute-heavy programs in the web debugger (headless Chromium,
// software WebGL) and prints, per program, the guest MIPS inside the machine's time slices (the
// median of the frames it ran in), the guest MIPS overall (wall clock), the frames per second
// while running, and the native build's MIPS on the same program from the same invocation, with
// the ratios — for the WebAssembly interpreter, the translator's threaded code and its
// WebAssembly backend (hot blocks compiled to WebAssembly modules while the program runs: the
// compiles are in its figures). A program that ends is measured up to its end.
//
// usage: node web/tests/bench_browser.mjs --site build/wasm/web/site --vmscope build/native/cli/vmscope
//        [--seconds 3] [--programs crc32,dhrystone,matmul,qsort,sha256,sieve]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, loadChromium, option, serveSite } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const siteDir = path.resolve(option('--site', path.join(here, '../../build/wasm/web/site')));
const vmscope = path.resolve(option('--vmscope', path.join(here, '../../build/native/cli/vmscope')));
const seconds = Number(option('--seconds', '3'));
const programs = option('--programs', 'crc32,dhrystone,matmul,qsort,sha256,sieve').split(',');
const chromiumPath = option('--chromium', '/usr/bin/chromium');
const chromium = loadChromium(path.join(here, '..'), chromiumPath);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Each engine: its URL parameters, and the same engine natively.
// (Natively the translator makes x86-64 code where the browser makes WebAssembly.)
const engines = [
  { name: 'interp', query: '', args: [] },
  { name: 'threaded', query: '&engine=translate&backend=threaded', args: ['--engine', 'translate', '--backend', 'threaded'] },
  { name: 'wasm', query: '&engine=translate', args: ['--engine', 'translate'] },
];

// The native build on the same ELF (whole run; vmscope's own summary gives the MIPS).
function nativeMips(name, args) {
  const elf = path.join(siteDir, 'programs/bench', `${name}.elf`);
  const r = spawnSync(vmscope, ['run', elf, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const m = /\(([\d.]+) MIPS\)/.exec(String(r.stderr));
  if (r.status !== 0 || !m) throw new Error(`native run of ${name} failed: ${r.stderr}`);
  return Number(m[1]);
}

const { server, origin } = await serveSite(siteDir);
const { context, profile } = await launchBrowser(chromium, chromiumPath);
const page = context.pages()[0] || await context.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
const state = () => page.evaluate(() => window.vmscope.state());

console.log(`${'program'.padEnd(10)} ${'engine'.padEnd(12)} ${'native MIPS'.padStart(11)} ${'slice MIPS'.padStart(10)}` +
            ` ${'ratio'.padStart(6)} ${'vs interp'.padStart(9)} ${'overall MIPS'.padStart(12)} ${'frames/s'.padStart(9)}`);
let worst = Infinity;
const speedups = { threaded: [], wasm: [] };
const median = (xs) => { const v = [...xs].sort((x, y) => x - y); return v[Math.floor(v.length / 2)]; };
for (const name of programs) {
  let interpSlice = 0;
  for (const engine of engines) {
    await page.goto(`${origin}/?program=${name}${engine.query}&speed=full`);
    await page.evaluate(() => window.vmscope.ready);
    await page.keyboard.press('F5');
    // Every frame's slice MIPS while it runs (the first 300 ms left out: the frame budget
    // settles) for `seconds`; a program that ends is run again (F5), its translations made again.
    const slices = [];
    let frames = 0, lastFrame = -1, done = 0, backend = '';
    await sleep(300);
    const t0 = Date.now();
    let s0 = await state();
    while (Date.now() - t0 < seconds * 1000) {
      const s = await state();
      backend = s.translator.engine === 'interpreter' ? 'interp' : /WebAssembly/.test(s.translator.backend) ? 'wasm' : 'threaded';
      if (s.running && s.frames !== lastFrame) {
        slices.push(s.sliceMips);
        frames += lastFrame < 0 ? 0 : s.frames - lastFrame;
        lastFrame = s.frames;
      }
      if (s.finished) {
        done += s.instret - s0.instret;
        await page.keyboard.press('F5');
        await sleep(50);
        s0 = { instret: 0 };
        lastFrame = -1;
      }
      await sleep(25);
    }
    const s1 = await state();
    const wall = (Date.now() - t0) / 1000;
    await page.keyboard.press('Shift+F5');
    if (slices.length < 5) throw new Error(`${name} on ${engine.name} ran only ${slices.length} frames: ${s1.status}`);
    if (backend !== engine.name) throw new Error(`${name} meant for ${engine.name} ran on ${backend}`);
    const slice = median(slices);
    const overall = (done + s1.instret - s0.instret) / wall / 1e6;
    const native = nativeMips(name, engine.args);
    if (engine.name === 'interp') {
      interpSlice = slice;
      worst = Math.min(worst, slice / native);
    } else {
      speedups[engine.name].push(slice / interpSlice);
    }
    console.log(`${name.padEnd(10)} ${engine.name.padEnd(12)} ${native.toFixed(0).padStart(11)} ${slice.toFixed(0).padStart(10)}` +
                ` ${(slice / native).toFixed(2).padStart(6)} ${(slice / interpSlice).toFixed(2).padStart(9)}` +
                ` ${overall.toFixed(0).padStart(12)} ${(frames / wall).toFixed(1).padStart(9)}`);
  }
}
const geo = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
console.log(`geometric mean over the WebAssembly interpreter (slice MIPS): threaded code ${geo(speedups.threaded).toFixed(2)}x, ` +
            `WebAssembly backend ${geo(speedups.wasm).toFixed(2)}x (target 3x)`);
console.log(`interpreter slice MIPS / native MIPS: at least ${worst.toFixed(2)} (target 0.33). "ratio" compares`);
console.log('each engine with the same engine natively (x86-64 code there for wasm), "vs interp" with the WebAssembly interpreter.');
console.log('Overall MIPS is what the machine gets of each frame: the rest goes to the display, here SwiftShader');
console.log('drawing WebGL on the CPU.');
// Time travel in the browser: the kernel under the monitor run to its end at full speed, then
// travel to random steps of it (fixed seed), against the native figure from the same invocation.
{
  await page.goto(`${origin}/?program=kernel&virt=trap-and-emulate&speed=full`);
  await page.evaluate(() => window.vmscope.ready);
  await page.keyboard.press('F5');
  for (let i = 0; i < 600 && !(await state()).finished; i++) await sleep(100);
  const s = await state();
  if (!s.finished) throw new Error(`the kernel did not finish: ${s.status}`);
  const times = await page.evaluate((end) => {
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const t = [];
    for (let i = 0; i < 30; i++) t.push(window.vmscope.travel(Math.floor(random() * end)));
    return t.sort((a, b) => a - b);
  }, s.time.frontier);
  const median = times[Math.floor(times.length / 2)], p90 = times[Math.floor(times.length * 0.9)];
  const bench = spawnSync(path.join(path.dirname(vmscope), '../tests/vmscope-bench-timetravel'),
                          [path.join(siteDir, 'programs/kernel/kernel.elf'), '--sbi', '--repeat', '1', '--points', '30'],
                          { stdio: ['ignore', 'pipe', 'pipe'] });
  const row = /trap-and-emulate, interpreter.*?([\d.]+)ms\s+([\d.]+)ms\s+([\d.]+)ms/.exec(String(bench.stdout));
  const nativeMedian = row ? Number(row[1]) : NaN;
  console.log(`\ntime travel, the kernel under trap-and-emulate (${s.time.frontier} steps, ${s.time.snapshots} snapshots, ` +
              `${(s.time.snapshotBytes / 1048576).toFixed(1)} MiB): travel to a random step in ${median.toFixed(1)} ms ` +
              `(median of 30; 90th percentile ${p90.toFixed(1)} ms, worst ${times[times.length - 1].toFixed(1)} ms); ` +
              `natively ${nativeMedian.toFixed(1)} ms (${(median / nativeMedian).toFixed(1)}x)`);
}
await context.close();
server.close();
fs.rmSync(profile, { recursive: true, force: true });
if (errors.length) {
  console.log('page errors:', errors);
  process.exit(1);
}
