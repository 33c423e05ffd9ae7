// How translated blocks get their host form. The code cache and the block builder only see this
// interface. Three implementations: portable threaded code (`threaded_backend.cpp`), x86-64
// machine code (`x86_64_backend.cpp`, native builds) and WebAssembly modules made at run time
// (`wasm_backend.cpp`, WebAssembly builds); the last two fill `Block::host` and keep threaded
// code beside it for the slow paths.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "translator/block.h"
#include "translator/native_context.h"
#include "translator/trace.h"

namespace vmscope {

struct ReturnStack;  // (block_cache.h)
class BlockCache;

// A tiered backend (WebAssembly): blocks run as threaded code until they are hot, then get host
// code made in the background, a page's hot blocks together in one module.
struct TieringOptions {
  uint32_t hot_threshold = 1000;  // block entries (as threaded code) before a block is compiled
  uint32_t max_modules = 256;     // modules alive at once (the coldest goes first)
  bool synchronous = false;       // compile at once (node, where the run never returns to the event loop)
  bool simulate_failures = false; // (tests) every module fails to compile
};
struct TierStats {
  uint64_t modules_made = 0, modules_live = 0, modules_evicted = 0, modules_dropped = 0, failures = 0;
  uint64_t blocks_compiled = 0;  // blocks in live modules
  uint64_t pending = 0;          // modules being compiled
  uint64_t bytes = 0;            // WebAssembly bytes made
  double compile_ms = 0;         // compile and instantiate time, all modules
};

// One line of a block's host form, and the guest instruction it was made from: its index in the
// block (-1: the block's entry, before any instruction; Block::count: its exits). In a trace's,
// `block` says which of the trace's blocks.
struct HostLine {
  int op = 0;
  std::string text;
  int block = 0;
  bool cold = false;  // in the code's cold part (side exits, hand-overs), after the hot path
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  // Gives `block` its host form from its guest instructions (block.ops holds them decoded, one
  // per instruction, each with its page offset). Returns the host form's size in bytes.
  virtual uint32_t emit(Block& block) const = 0;
  // The host form as text, one line per host operation (native code disassembled), each with
  // the guest instruction it came from (the Code cache window and --profile interleave them).
  virtual std::vector<HostLine> listing(const Block& block) const = 0;
  // Native code jumps from block to block itself: the cache has the backend patch a link into
  // `from`'s code when it chains exits[exit] to `to` (again after the code epoch moved, for a
  // link to another page), and undo it.
  virtual void link(Block& /*from*/, unsigned /*exit*/, const Block& /*to*/) const {}
  virtual void unlink(Block& /*from*/, unsigned /*exit*/) const {}
  // One line on what the host form does beyond one instruction at a time (registers kept in
  // host registers, a loop run in its own code); empty when nothing.
  virtual std::string summary(const Block& /*block*/) const { return ""; }
  // How to run a block's native code (null: the backend makes threaded code only).
  virtual NativeEntry native_entry() const { return nullptr; }
  // Traces (trace.h; native code only): gives `trace` its host form, returning its size in bytes
  // (0: no trace made; the backend may shorten the path first). Its listing and summary.
  virtual uint32_t emit_trace(Trace& /*trace*/) const { return 0; }
  virtual std::vector<HostLine> trace_listing(const Trace& /*trace*/) const { return {}; }
  virtual std::string trace_summary(const Trace& /*trace*/) const { return ""; }
  // Set by the cache: native code returns kNativeHot when a block is entered this many times
  // (0: no traces).
  uint32_t trace_threshold = 0;
  // Tiered backends: `block` was entered hot_threshold times as threaded code; the cache says
  // so, polls for finished compiles at safe points (no block running), and says when a block
  // goes (its module goes with it).
  virtual void hot(Block& /*block*/, BlockCache& /*cache*/) {}
  virtual void poll(BlockCache& /*cache*/) {}
  virtual void discard(Block& /*block*/) {}
  virtual const TierStats* tiers() const { return nullptr; }
  TieringOptions tiering;
  // Messages for the user (a module that failed to compile); the cache keeps them.
  std::deque<std::string>* log = nullptr;
  // Set (by the cache, for lru eviction): native code stamps every entry of a block with
  // ++*use_clock into Block::last_used. Threaded code is stamped by the block executor.
  uint64_t* use_clock = nullptr;
  // The cache's code epoch: a link to another page holds the epoch it was made in.
  const uint64_t* code_epoch = nullptr;
  // The cache's return stack (return prediction, in native code).
  ReturnStack* returns = nullptr;
};

// Threaded code: each guest instruction becomes one op whose handler and operands are resolved
// at translation time, run by Hart::run_blocks (core/hart/block_executor.cpp).
std::unique_ptr<Backend> make_threaded_backend();
// Code for the host, on top of the threaded code, which it hands over to for slow paths: x86-64
// machine code (x86-64 Linux) or WebAssembly modules (WebAssembly builds); null elsewhere.
std::unique_ptr<Backend> make_native_backend();
// Whether this build has a native backend at all, and what it makes ("x86-64 code", "WebAssembly").
bool native_backend_exists();
const char* native_backend_label();

}  // namespace vmscope
