// vmscope in the browser: fetches the bundled programs while the WebAssembly module downloads,
// starts the debugger (web_main.cpp) in the canvas, wires the file dialog, drag-and-drop and
// ?program=NAME (with ?virt=, ?shadow=, ?quirk=, ?check= for a kernel; ?engine=, ?chain=, ?cache=,
// ?evict=, ?backend=, ?hot= for the block translator), ?scenario=NAME, and exposes window.vmscope, a small interface for tests (see web/README.md).
(function () {
  'use strict';

  const canvas = document.getElementById('canvas');
  const loading = document.getElementById('loading');
  const dropHint = document.getElementById('drop-hint');
  const failure = document.getElementById('failure');
  const fileInput = document.getElementById('file-input');
  const params = new URLSearchParams(window.location.search);

  let resolveReady, rejectReady;
  const ready = new Promise((resolve, reject) => { resolveReady = resolve; rejectReady = reject; });

  function fail(message) {
    loading.hidden = true;
    failure.textContent = 'vmscope could not start: ' + message;
    failure.hidden = false;
    rejectReady(new Error(message));
  }

  // What web_main.cpp reads through Module.vmscopeWeb (EM_JS functions).
  const web = {
    programs: [],   // [{name, group, description, file, size, disk?}] from programs/programs.json
    bytes: {},      // name -> Uint8Array
    disks: {},      // name -> Uint8Array: a program's own disk image (programs.json's "disk")
    layoutKey: 'vmscope.imgui-layout.v1',
    wheel: [0, 0],  // the last wheel event in notches, +y up (read by web_main.cpp)
    clipboard: '',  // what Dear ImGui pastes: the last text copied in the app or pasted into the page
    signalReady() {
      loading.hidden = true;
      api.readyTime = performance.now();
      resolveReady(api);
    },
    openFileDialog() { fileInput.click(); },
    fail,
    font: null,     // DejaVu Sans Mono (fonts/), read once at start
  };

  async function fetchPrograms() {
    const response = await fetch('programs/programs.json');
    if (!response.ok) throw new Error('programs/programs.json: HTTP ' + response.status);
    const list = await response.json();
    await Promise.all(list.map(async (p) => {
      const r = await fetch('programs/' + p.file);
      if (!r.ok) throw new Error('programs/' + p.file + ': HTTP ' + r.status);
      web.bytes[p.name] = new Uint8Array(await r.arrayBuffer());
      if (p.disk) {
        const d = await fetch('programs/' + p.disk);
        if (!d.ok) throw new Error('programs/' + p.disk + ': HTTP ' + d.status);
        web.disks[p.name] = new Uint8Array(await d.arrayBuffer());
      }
    }));
    web.programs = list;
    // The font: without it the debugger falls back to Dear ImGui's small bitmap font.
    const font = await fetch('fonts/DejaVuSansMono.ttf');
    if (font.ok) web.font = new Uint8Array(await font.arrayBuffer());
    else console.warn('vmscope: fonts/DejaVuSansMono.ttf: HTTP ' + font.status + ': using a bitmap font');
  }
  const programsFetched = fetchPrograms();
  programsFetched.catch(() => {});  // reported through fail() once the module asks for them

  // ?program=NAME, then the monitor's switches for a kernel: virt, shadow, console, balloon, quirk (comma-separated), check;
  // and the translator's: engine (interp|translate), chain (0|1), cache (KiB), evict (fifo|lru|flush),
  // backend (wasm|threaded), hot (entries before a block is compiled to WebAssembly)
  // and the speed: speed=full or instructions per second. Any other name is reported in the page.
  const initial = params.get('program');
  const args = [initial || 'sv32_paging'];
  // ?lesson=NAME opens a shipped lesson; ?lesson=URL (ending in .toml) fetches a lesson file.
  // ?step=K (a lesson's step), ?t=N (a step of the run, replayed to) and ?embed=1 open a shared moment.
  // ?gdb=PORT lets gdb in through scripts/gdb-bridge (the bridge's port for pages).
  const known = ['virt', 'shadow', 'console', 'balloon', 'quirk', 'check', 'scenario', 'engine', 'chain', 'cache', 'evict',
                 'backend', 'hot', 'speed', 'lesson', 'step', 't', 'embed', 'snapshots', 'gdb'];
  const lessonUrl = params.has('lesson') && params.get('lesson').endsWith('.toml') ? params.get('lesson') : null;
  for (const name of known) {
    if (params.has(name) && !(name === 'lesson' && lessonUrl)) args.push('--' + name, params.get(name));
  }
  if (lessonUrl) {
    ready.then(async () => {
      try {
        const r = await fetch(lessonUrl);
        if (!r.ok) throw new Error('HTTP ' + r.status);
        api.startLessonText(await r.text(), lessonUrl);
      } catch (e) {
        console.warn('vmscope: cannot fetch the lesson ' + lessonUrl + ': ' + e.message);
        api.warn('cannot fetch the lesson ' + lessonUrl + ': ' + e.message);
      }
    });
  }
  for (const name of params.keys()) {
    if (name !== 'program' && !known.includes(name)) args.push('--unknown', name);
  }
  window.Module = {
    canvas,
    vmscopeWeb: web,
    arguments: args,
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
    preRun: [() => {
      Module.addRunDependency('vmscope-programs');
      programsFetched.then(() => Module.removeRunDependency('vmscope-programs'),
                           (e) => fail('cannot fetch the bundled programs: ' + e.message));
    }],
    onAbort: (what) => fail(String(what)),
  };

  // ---- the test interface
  const call = (name, ret, types, args) => Module.ccall(name, ret, types, args);
  const api = {
    ready,            // resolves (to this object) after the first frame is drawn
    readyTime: null,  // ms from navigation start to ready
    // {program, loaded, running, finished, status, error, console, frames, frameMs, instructionsPerFrame, sliceMips,
    //  display {width, height, scale}, breakpoints[], kind, priv, pc, instret, regs[32],
    //  insn {text, length, isCall, isControl}, monitor {exits, hiddenFaults, pageTableWrites, shadowEntries,
    //  guestPageTables, guestInstret, strategy, illusionBroken} (under trap-and-emulate),
    //  analyzer {file, edited, errors[], theorems[3] (holds), critical[]},
    //  translator {engine, chaining, cacheKib, eviction, windowOpen, selected (a block's paddr or null), and with a
    //  program: backend, blocks, usedBytes, translated, invalidated, evicted, flushes, links, entries, chained, events,
    //  and on the WebAssembly backend tiers {modulesMade, modulesLive, modulesEvicted, failures, blocksCompiled,
    //  pending, compileMs} and log[]; with a block selected: selectedCompiled, selectedSummary, selectedHost[] (its
    //  host form's lines)}
    //  time {position, frontier, events, snapshots, snapshotBytes, interval} (time travel), speed (instructions/s, 0: full),
    //  warning (a problem with the URL's parameters)
    //  (the machine fields only when a program is loaded)
    state: () => JSON.parse(call('vmscope_state', 'string', [], [])),
    programs: () => web.programs.map((p) => ({ name: p.name, group: p.group, description: p.description })),
    load: (name) => call('vmscope_load_bundled', 'number', ['string'], [name]) === 1,
    loadBytes(bytes, name) {
      const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
      const ptr = Module._malloc(Math.max(1, data.length));
      Module.HEAPU8.set(data, ptr);
      try {
        return call('vmscope_load_bytes', 'number', ['number', 'number', 'string'], [ptr, data.length, name]) === 1;
      } finally {
        Module._free(ptr);
      }
    },
    // Widgets of the last frame by label (text before "##", or the whole label), all when omitted:
    // [{label, window, x, y, w, h, visible}] in CSS pixels of the canvas.
    items: (label) => JSON.parse(call('vmscope_items', 'string', ['string'], [label || ''])),
    windows: () => JSON.parse(call('vmscope_windows', 'string', [], [])),  // [{name, x, y, w, h, collapsed}]
    symbol(name) {
      const v = call('vmscope_symbol', 'number', ['string'], [name]);
      return v < 0 ? null : v;
    },
    warn: (text) => call('vmscope_warn', null, ['string'], [text]),
    setCursor: (address) => call('vmscope_set_cursor', null, ['number'], [address >>> 0]),
    // Starts a lesson from its text (a lesson file); false when it has errors (state().lessonErrors).
    startLessonText: (text, name) => call('vmscope_start_lesson_text', 'number', ['string', 'string'], [text, name]) === 1,
    lessonNext: () => call('vmscope_lesson_step', null, ['number'], [1]),
    lessonBack: () => call('vmscope_lesson_step', null, ['number'], [-1]),
    // Travels to a step of the recorded run; the milliseconds it took (-1: beyond the recording).
    travel: (position) => call('vmscope_travel', 'number', ['number'], [position]),
    saveLayout: () => call('vmscope_save_layout', null, [], []),
    resetLayout() {
      try { window.localStorage.removeItem(web.layoutKey); } catch (e) { /* storage disabled */ }
    },
  };
  window.vmscope = api;

  // ---- files: the app's "Open file..." button and drag-and-drop
  async function loadFile(file) {
    let bytes;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (e) {
      console.warn('vmscope: cannot read ' + file.name + ': ' + e.message);
      return false;
    }
    await ready;
    // A lesson file (.toml) starts a lesson; anything else is a program. Bad ones say why in the UI.
    if (file.name.endsWith('.toml')) return api.startLessonText(new TextDecoder().decode(bytes), file.name);
    return api.loadBytes(bytes, file.name);
  }
  api.loadFile = loadFile;

  fileInput.addEventListener('change', () => {
    const file = fileInput.files && fileInput.files[0];
    fileInput.value = '';  // choosing the same file again is a new change
    if (file) loadFile(file);
  });

  let dragDepth = 0;
  const hasFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files');
  window.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    dragDepth++;
    dropHint.hidden = false;
  });
  window.addEventListener('dragleave', () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (!dragDepth) dropHint.hidden = true;
  });
  window.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    dragDepth = 0;
    dropHint.hidden = true;
    const file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
    if (file) loadFile(file);
  });

  // ---- keys: the debugger's function keys must not reload the page (F5) or go full screen (F11).
  // Ctrl + / Ctrl - / Ctrl 0 size the debugger's text instead of zooming the page; F1 is Help.
  const debuggerKeys = new Set(['F1', 'F5', 'F6', 'F9', 'F10', 'F11']);
  const textSizeKeys = new Set(['=', '+', '-', '0']);
  window.addEventListener('keydown', (e) => {
    if (debuggerKeys.has(e.key) || (e.ctrlKey && textSizeKeys.has(e.key))) e.preventDefault();
  }, true);
  canvas.addEventListener('contextmenu', (e) => e.preventDefault());

  // Wheel events in notches for Dear ImGui: a window listener sees the event before emscripten's
  // GLFW handler on the canvas, which then calls web_main.cpp's scroll callback.
  window.addEventListener('wheel', (e) => {
    const unit = e.deltaMode === 1 ? 1 / 3 : e.deltaMode === 2 ? 1 : 1 / 100;  // lines, pages, pixels
    web.wheel = [-e.deltaX * unit, -e.deltaY * unit];
  }, { capture: true, passive: true });

  // Ctrl+V: the paste event comes before the next frame, where Dear ImGui asks for the text.
  window.addEventListener('paste', (e) => {
    const text = e.clipboardData && e.clipboardData.getData('text/plain');
    if (text) web.clipboard = text;
  });

  // The layout is saved as it changes; also when the page goes away.
  window.addEventListener('pagehide', () => { if (api.readyTime !== null) api.saveLayout(); });

  const script = document.createElement('script');
  script.src = 'vmscope.js';
  script.async = true;
  script.onerror = () => fail('cannot load vmscope.js');
  document.body.appendChild(script);
  canvas.focus();
})();
