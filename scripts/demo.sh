#!/usr/bin/env bash
# The main job: installs what is missing, builds vmscope natively and runs five demos (a process
# program, a bare-metal program, the kernel under the monitor, a benchmark on both engines, the
# analyzer on x86), then builds the debugger for the browser and serves it on 127.0.0.1 until Ctrl-C.
# PORT=N picks the port (default: 8080, or a free one); --no-serve stops after the builds.
set -euo pipefail
cd "$(dirname "$0")/.."
serve=1
for a in "$@"; do
  case "$a" in
    --no-serve) serve=0 ;;
    -h|--help) echo "usage: bash scripts/demo.sh [--no-serve]   (PORT=N to choose the web server's port)"; exit 0 ;;
    *) echo "demo.sh: unknown option '$a'" >&2; exit 2 ;;
  esac
done

bash scripts/setup.sh
bash scripts/build.sh native
vm=build/native/cli/vmscope
echo
echo "== A Linux-ABI program on the process VM (system calls served by vmscope):"
$vm run build/native/assets/process/hello.elf
echo
echo "== A bare-metal program on the virt-like board: Sv32 page tables, page faults, ASIDs:"
$vm run build/native/assets/system/sv32_paging.elf
echo
echo
echo "== A guest kernel deprivileged by trap-and-emulate under vmscope's monitor (shadow page tables):"
$vm run --virt trap-and-emulate build/native/assets/kernel/kernel.elf 2>&1 | tail -8
echo
echo "== The same compute-heavy program on the interpreter and on the block translator (x86-64 code):"
$vm run build/native/assets/bench/sha256.elf 2>&1 | grep -E "instructions retired"
$vm run --engine translate build/native/assets/bench/sha256.elf 2>&1 | grep -E "instructions retired|translator"
echo
echo "== Is x86 virtualizable? (the Popek-Goldberg analyzer; exit code 1 means no)"
$vm analyze isa-specs/x86-ia32.toml | sed -n '1,2p;/^Theorem 1/p' || true
echo
echo "Run your own RV32 ELF with: $vm run PROGRAM   (see $vm run --help)"

echo
echo "== The debugger for the browser (WebAssembly + WebGL 2):"
bash scripts/build.sh wasm
site=build/wasm/web/site
debugger=build/native/ui-imgui/vmscope-debugger
if [ "$serve" = 0 ]; then
  echo "Built $site; serve it with: python3 -m http.server --bind 127.0.0.1 --directory $site"
  exit 0
fi

# A port: $PORT, else 8080 when free, else any free one.
port=${PORT:-$(python3 - <<'PY'
import socket
for p in (8080, 0):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        print(s.getsockname()[1])
        break
    except OSError:
        pass
    finally:
        s.close()
PY
)}
echo
echo "  Open  http://127.0.0.1:$port/                  in a browser with WebGL 2"
echo "        http://127.0.0.1:$port/?program=dhrystone  opens a bundled program (any name in the picker)"
echo "        http://127.0.0.1:$port/?program=sieve&engine=translate  on the block translator ('Code cache' window)"
echo "        http://127.0.0.1:$port/?scenario=critical-instruction  a lesson: also trap-and-emulate,"
echo "          shadow-paging, is-x86-virtualizable, pdp10-jrst1 (or 'Scenarios' in the control bar)"
echo "  Drop an RV32 ELF on the page, or use 'Open file...' in the Programs panel, to debug your own."
echo "  Keys: F5 run, Shift+F5 pause, F10 step over, F11 step, F9 breakpoint."
echo "  The same debugger natively: $debugger [PROGRAM.elf]"
echo "  Serving $site; Ctrl-C stops the server."
echo
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$site" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; echo; echo "demo.sh: server stopped."; exit 0' INT TERM
wait "$server"
