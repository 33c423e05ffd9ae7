// The WebAssembly backend (WebAssembly builds): hot guest code compiled to WebAssembly modules at
// run time, the way v86 and QEMU's WebAssembly port do it.
//
// Blocks start as threaded code (their form here stays, for slow paths and for cold code). A
// block entered `hot_threshold` times asks to be compiled; the page's hot blocks are compiled
// together into one module, a *region*: one function whose loop dispatches (br_table) to the
// part for each block, so that control flow between the region's blocks never leaves it, with
// guest registers in locals (loaded at entry, written back on the way out) and loads and stores
// looking the hart's micro-TLB up inline. Each block gets an entry function in the shared
// function table, called by the block executor like x86-64 native code, with the same contract
// (native_context.h): a micro-TLB miss, a system instruction or an atomic returns "continue at
// op N" to the threaded code, so exceptions, instret and the timer stay exact.
//
// Modules are compiled by the JavaScript engine in the background (WebAssembly.instantiate) while
// the run goes on, and installed at the next safe point; under node, whose runner never returns
// to the event loop, at once (TieringOptions::synchronous). At most max_modules are alive: the
// coldest goes first. A block that goes (invalidated, evicted, flushed) takes its module along;
// the others in it run as threaded code until they are hot again.
#include <algorithm>
#include <deque>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "isa/isa_table.h"
#include "translator/backend.h"
#include "translator/block_cache.h"
#include "translator/native_context.h"
#include "translator/wasm_module.h"

#if defined(__EMSCRIPTEN__)
#include <emscripten.h>

// ---- The JavaScript side: compile and instantiate a module against this module's memory, put
// its entry functions into the shared table, queue the result for its backend's poll(). Each
// backend (one per code cache: a debugger may run several machines) has its own queue; a result
// for a backend that is gone frees its table entries at once.
// (No // comments inside: EM_JS bodies become one line.)
EM_JS(void, vmscope_wasm_compile,
      (int owner, int job, const uint8_t* bytes, int length, int parts, int synchronous, int fail), {
  var code = HEAPU8.slice(bytes, bytes + length);
  var queues = Module["vmscopeQueues"] || (Module["vmscopeQueues"] = {});
  var started = performance.now();
  var imports = {"env" : {"memory" : wasmMemory}};
  function finish(result) {
    if (queues[owner]) {
      queues[owner].push(result);
      return;
    }
    for (var i = 0; i < result.indices.length; ++i) {
      wasmTable.set(result.indices[i], null);
      Module["vmscopeFreeSlots"].push(result.indices[i]);
    }
  }
  function done(instance) {
    var indices = [];
    var free = Module["vmscopeFreeSlots"] || (Module["vmscopeFreeSlots"] = []);
    try {
      for (var i = 0; i < parts; ++i) {
        var index = free.length ? free.pop() : wasmTable.grow(1);
        indices.push(index);
        wasmTable.set(index, instance.exports["e" + i]);
      }
    } catch (e) {
      for (var k = 0; k < indices.length; ++k) {
        wasmTable.set(indices[k], null);
        free.push(indices[k]);
      }
      failed(e);
      return;
    }
    finish({job : job, indices : indices, ms : performance.now() - started, error : ""});
  }
  function failed(e) {
    finish({job : job, indices : [], ms : performance.now() - started, error : String((e && e.message) || e)});
  }
  if (!queues[owner]) queues[owner] = [];
  /* A simulated failure (tests): the body's last byte is no longer its end. */
  if (fail) code[code.length - 1] = 0xff;
  if (synchronous) {
    try {
      done(new WebAssembly.Instance(new WebAssembly.Module(code), imports));
    } catch (e) {
      failed(e);
    }
  } else {
    WebAssembly.instantiate(code, imports).then(function(r) { done(r.instance); }, failed);
  }
});

// The backend's oldest finished compile: out = [job, microseconds, parts (-1: failed), table indices...].
EM_JS(int, vmscope_wasm_take, (int owner, int* out, int capacity, char* message, int message_capacity), {
  var queue = Module["vmscopeQueues"] && Module["vmscopeQueues"][owner];
  if (!queue || !queue.length) return 0;
  var r = queue.shift();
  var at = out >> 2;
  HEAP32[at] = r.job;
  HEAP32[at + 1] = Math.round(r.ms * 1000);
  HEAP32[at + 2] = r.error ? -1 : r.indices.length;
  for (var i = 0; i < r.indices.length && i + 3 < capacity; ++i) HEAP32[at + 3 + i] = r.indices[i];
  var n = Math.min(r.error.length, message_capacity - 1);
  for (var j = 0; j < n; ++j) HEAPU8[message + j] = r.error.charCodeAt(j) & 0x7f;
  HEAPU8[message + n] = 0;
  return 1;
});

EM_JS(void, vmscope_wasm_free, (int index), {
  wasmTable.set(index, null);
  (Module["vmscopeFreeSlots"] || (Module["vmscopeFreeSlots"] = [])).push(index);
});

/* The backend is gone: what it has queued is freed, what finishes later too. */
EM_JS(void, vmscope_wasm_forget, (int owner), {
  var queues = Module["vmscopeQueues"];
  if (!queues || !queues[owner]) return;
  var queue = queues[owner];
  delete queues[owner];
  for (var k = 0; k < queue.length; ++k)
    for (var i = 0; i < queue[k].indices.length; ++i) {
      wasmTable.set(queue[k].indices[i], null);
      Module["vmscopeFreeSlots"].push(queue[k].indices[i]);
    }
});
#endif

namespace vmscope {

#if defined(__EMSCRIPTEN__)
namespace {

using isa::Op;
using wasm::FunctionBody;
using wasm::Label;
namespace opc = wasm::opcode;

constexpr uint64_t kNever = ~0ull;
constexpr uint32_t kNoSuchPage = ~0u;  // (pages are 4 KiB aligned)
constexpr size_t kMaxParts = 512;  // blocks in one region (a page holds at most 2048)
int g_next_job = 0, g_next_owner = 0;

uint32_t ptr(const void* p) { return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(p)); }

struct Region;
// A compiled block's host data: its region and which part of it.
struct WasmCode {
  Region* region;
  unsigned part;
};

// One module: a page's hot blocks.
struct Region {
  uint64_t number = 0;  // the module's number (the views)
  uint32_t page = 0;
  std::vector<Block*> blocks;  // its parts, by address
  std::vector<std::vector<HostLine>> listing;  // each part's WebAssembly text
  std::vector<int> table;      // each part's entry in the function table (once installed)
  std::string registers;       // guest registers held in locals (by function)
  size_t functions = 0;        // blocks that reach each other share one
  std::deque<std::vector<uint16_t>> lookups;  // each function's table for indirect jumps (its code reads it)
  size_t bytes = 0;
  double compile_ms = 0;
  uint64_t activity_mark = 0;  // its blocks' entries at the last eviction
  bool cancelled = false;      // a block went while it was being compiled
  size_t joining = 0;          // hot blocks of its page not in it yet
};

// The NativeContext fields a region reads and writes.
constexpr uint32_t kCtxX = offsetof(NativeContext, x), kCtxReadTlb = offsetof(NativeContext, read_tlb),
                   kCtxWriteTlb = offsetof(NativeContext, write_tlb), kCtxRemaining = offsetof(NativeContext, remaining),
                   kCtxBlock = offsetof(NativeContext, block), kCtxPageVbase = offsetof(NativeContext, page_vbase),
                   kCtxPc = offsetof(NativeContext, pc), kCtxOneBlock = offsetof(NativeContext, one_block);
static_assert(sizeof(void*) == 4, "the WebAssembly backend is for wasm32");

// Whether a block ends in a call (jal or jalr writing ra or t0): the block at its end is where
// the callee returns to.
bool ends_in_call(const Block& b) {
  const Slot& last = b.ops[b.count - 1];
  const Op op = kHandlerOp[last.handler];
  return (op == Op::jal || op == Op::jalr) && (last.rd == 1 || last.rd == 5);
}

// The block an indirect jump went to last time (its inline cache), if any.
const Block* indirect_target(const Block& b) {
  return b.kind == BlockEnd::indirect && b.exits[0].to && !b.exits[0].to->dead ? b.exits[0].to : nullptr;
}

// Writes the function of one part of a region: blocks that reach each other by direct jumps,
// branches, calls and returns (`blocks`, `parts` their numbers in the region), so the function
// holds only the guest registers they use.
class FunctionWriter {
 public:
  // `lookup`: where the function's indirect jumps find their targets (filled when it has any).
  FunctionWriter(std::vector<const Block*> blocks, std::vector<int> parts, const uint64_t* use_clock,
                 std::vector<uint16_t>& lookup)
      : blocks_(std::move(blocks)), parts_(std::move(parts)), use_clock_(use_clock), lookup_(lookup), f_({"ctx", "entry"}) {}

  FunctionBody& write() {
    // Loads and stores keep their last page only in small functions (loops): in large ones the
    // locals it takes cost more than the lookups they save.
    unsigned accesses = 0;
    for (const Block* b : blocks_)
      for (uint32_t i = 0; i < b->count; ++i)
        accesses += (isa::kOpTraits[static_cast<int>(kHandlerOp[b->ops[i].handler])] & (isa::kTraitLoad | isa::kTraitStore)) != 0;
    cache_pages_ = accesses <= kMaxCachedAccesses;
    uint32_t used = 0;
    for (const Block* b : blocks_)
      for (uint32_t i = 0; i < b->count; ++i)
        for (const unsigned g : {b->ops[i].rd, b->ops[i].rs1, b->ops[i].rs2})
          if (g > 0 && g < 32) used |= 1u << g;
    for (unsigned g = 1; g < 32; ++g)
      if (used >> g & 1) reg_[g] = f_.local(wasm::Type::i32, isa::kAbiRegisterNames[g]);
    rem_ = f_.local(wasm::Type::i64, "budget");
    vbase_ = f_.local(wasm::Type::i32, "page");
    rtlb_ = f_.local(wasm::Type::i32, "read_tlb");
    wtlb_ = f_.local(wasm::Type::i32, "write_tlb");
    ret_ = f_.local(wasm::Type::i32, "ret");
    cur_ = f_.local(wasm::Type::i32, "block");
    addr_ = f_.local(wasm::Type::i32, "address");
    entry_ = f_.local(wasm::Type::i32, "tlb_entry");
    follow_ = f_.local(wasm::Type::i32, "follow");
    t_ = f_.local(wasm::Type::i32, "t");
    xp_ = f_.local(wasm::Type::i32, "x");

    f_.tag(-1, -1);
    f_.comment("entry: the budget, the page, the micro-TLBs and the guest registers into locals");
    ctx_load(opc::i64_load, kCtxRemaining, rem_);
    ctx_load(opc::i32_load, kCtxPageVbase, vbase_);
    ctx_load(opc::i32_load, kCtxReadTlb, rtlb_);
    ctx_load(opc::i32_load, kCtxWriteTlb, wtlb_);
    f_.local_get(0);
    f_.memory(opc::i32_load, kCtxOneBlock);
    f_.op(opc::i32_eqz);
    f_.local_set(follow_);
    ctx_load(opc::i32_load, kCtxX, xp_);
    for (unsigned g = 1; g < 32; ++g) {
      if (!(used >> g & 1)) continue;
      f_.local_get(xp_);
      f_.memory(opc::i32_load, 4 * g);
      f_.local_set(reg_[g]);
    }
    out_ = f_.block();
    dispatch_ = f_.loop();
    const size_t n = blocks_.size();
    f_.tag(-3, -1);  // (the dispatch: one label per block; the listing sums it up in a line)
    labels_.resize(n);
    for (size_t i = n; i-- > 0;) labels_[i] = f_.block();
    f_.local_get(1);
    f_.br_table(labels_, labels_[0]);
    for (size_t i = 0; i < n; ++i) {
      f_.end();  // block i's label: its code follows
      write_block(static_cast<unsigned>(i));
    }
    f_.tag(-1, -1);
    f_.end();  // dispatch
    f_.end();  // out
    // The way out: written registers back, the budget and the block for the executor.
    f_.tag(-2, -2);
    f_.comment("the way out: written guest registers back, the budget, the block");
    for (unsigned g = 1; g < 32; ++g) {
      if (!(written_ >> g & 1)) continue;
      f_.local_get(xp_);
      f_.local_get(reg_[g]);
      f_.memory(opc::i32_store, 4 * g);
    }
    f_.local_get(0);
    f_.local_get(rem_);
    f_.memory(opc::i64_store, kCtxRemaining);
    f_.local_get(0);
    f_.local_get(cur_);
    f_.memory(opc::i32_store, kCtxBlock);
    f_.local_get(ret_);
    return f_;
  }

  std::string registers() const {
    std::string text;
    for (unsigned g = 1; g < 32; ++g)
      if (reg_[g] >= 0) text += (text.empty() ? "" : ", ") + std::string(isa::kAbiRegisterNames[g]);
    return text;
  }

 private:
  void ctx_load(uint8_t code, uint32_t offset, unsigned local) {
    f_.local_get(0);
    f_.memory(code, offset);
    f_.local_set(local);
  }
  void get(unsigned g) {
    if (g == 0 || g >= 32) f_.i32_const(0);
    else f_.local_get(static_cast<unsigned>(reg_[g]));
  }
  void set(unsigned g) {  // (rd 32: the write sink of x0)
    if (g == 0 || g >= 32) {
      f_.op(opc::drop);
      return;
    }
    f_.local_set(static_cast<unsigned>(reg_[g]));
    written_ |= 1u << g;
  }
  void count(const uint64_t* counter) {  // ++*counter
    f_.i32_const(static_cast<int32_t>(ptr(counter)));
    f_.i32_const(static_cast<int32_t>(ptr(counter)));
    f_.memory(opc::i64_load, 0);
    f_.i64_const(1);
    f_.op(opc::i64_add);
    f_.memory(opc::i64_store, 0);
  }
  void leave(uint32_t code) {
    f_.i32_const(static_cast<int32_t>(code));
    f_.local_set(ret_);
    f_.br(out_);
  }

  // The whole block retired through exits[k]: charge it, count the edge; then on to the region's
  // block at the target (unless every block must be seen), or out with the next pc.
  void exit(const Block& b, unsigned k, int64_t target, bool indirect, bool falls_into_next = false) {
    count(&b.exits[k].taken);
    f_.local_get(rem_);
    f_.i64_const(b.count);
    f_.op(opc::i64_sub);
    f_.local_set(rem_);
    if (indirect) {  // (pc in t) a block of the function in this page: straight there, through
      // the function's lookup table (page offset / 2 -> its entry + 1, 0: none)
      if (lookup_.empty()) {
        lookup_.assign(kPageSize / 2, 0);
        for (size_t j = 0; j < blocks_.size(); ++j) lookup_[blocks_[j]->start / 2] = static_cast<uint16_t>(j + 1);
      }
      f_.local_get(t_);
      f_.local_get(vbase_);
      f_.op(opc::i32_sub);
      f_.local_tee(addr_);
      f_.i32_const(kPageSize);
      f_.op(opc::i32_lt_u);
      f_.local_get(follow_);
      f_.op(opc::i32_and);
      f_.if_();
      f_.local_get(addr_);
      f_.memory(opc::i32_load16_u, ptr(lookup_.data()));
      f_.local_tee(entry_);
      f_.if_();
      f_.local_get(entry_);
      f_.i32_const(1);
      f_.op(opc::i32_sub);
      f_.local_set(1);
      f_.br(dispatch_);
      f_.end();
      f_.end();
      f_.local_get(0);
      f_.local_get(t_);
      f_.memory(opc::i32_store, kCtxPc);
      leave(kNativeExit + k);
      return;
    }
    // The next block of the function in its layout: fall into it (when the exit is the last
    // code of this block), no dispatch.
    if (falls_into_next && index_ + 1 < blocks_.size() && blocks_[index_ + 1]->start == target) {
      f_.local_get(follow_);
      f_.op(opc::i32_eqz);
      f_.if_();
      store_pc(target);
      leave(kNativeExit + k);
      f_.end();
      return;
    }
    // Another block of the function: a later one is straight ahead (this code is inside its
    // label), an earlier one (a loop) through the dispatch.
    for (size_t j = 0; j < blocks_.size(); ++j) {
      if (blocks_[j]->start != target) continue;
      f_.local_get(follow_);
      f_.if_();
      if (j == index_ && self_loop_) {
        f_.br(self_);
      } else if (j > index_) {
        f_.br(labels_[j]);
      } else {
        f_.i32_const(static_cast<int32_t>(j));
        f_.local_set(1);
        f_.br(dispatch_);
      }
      f_.end();
      break;
    }
    store_pc(target);
    leave(kNativeExit + k);
  }

  void store_pc(int64_t target) {
    f_.local_get(0);
    f_.local_get(vbase_);
    f_.i32_const(static_cast<int32_t>(target));
    f_.op(opc::i32_add);
    f_.memory(opc::i32_store, kCtxPc);
  }

  // The host address of a load or store (on the stack). Each one keeps the last page it reached
  // and that page's host addend in two locals of its own, so an access to the same page as last
  // time (a loop walking an array) skips the micro-TLB: its loads are off the address's critical
  // path. The locals hold the page tag xor kNoTag, so their initial 0 matches nothing. A micro-TLB
  // miss (another page, misaligned, a code page for stores, watchpoints) hands over to threaded
  // code. (Nothing changes the micro-TLBs while a region runs: every slow path leaves it.)
  void address(const Slot& s, unsigned op_index, unsigned tlb, uint32_t size) {
    if (!cache_pages_) return lookup(s, op_index, tlb, size);
    constexpr int32_t kNoTag = 0x800;  // (Hart::kNoPage: bit 11, which no access's tag has)
    const std::string n = std::to_string(sites_++);
    const unsigned page = f_.local(wasm::Type::i32, "page" + n), host = f_.local(wasm::Type::i32, "addend" + n);
    effective_address(s);
    f_.local_get(addr_);
    f_.i32_const(static_cast<int32_t>(~(kPageSize - 1) | (size - 1)));
    f_.op(opc::i32_and);
    f_.i32_const(kNoTag);
    f_.op(opc::i32_xor);
    f_.local_tee(t_);
    f_.local_get(page);
    f_.op(opc::i32_ne);
    f_.if_();  // not the page of last time: the micro-TLB
    tlb_entry(tlb);
    f_.memory(opc::i32_load, 0);  // the tag
    f_.i32_const(kNoTag);
    f_.op(opc::i32_xor);
    f_.local_get(t_);
    f_.op(opc::i32_ne);
    f_.if_();
    leave(op_index);
    f_.end();
    f_.local_get(t_);
    f_.local_set(page);
    f_.local_get(entry_);
    f_.memory(opc::i32_load, 8);  // the host addend
    f_.local_set(host);
    f_.end();
    f_.local_get(addr_);
    f_.local_get(host);
    f_.op(opc::i32_add);
  }

  // rs1 + imm, into `address`.
  void effective_address(const Slot& s) {
    get(s.rs1);
    if (s.imm) {
      f_.i32_const(s.imm);
      f_.op(opc::i32_add);
    }
    f_.local_set(addr_);
  }

  // The micro-TLB entry of `address`, into `tlb_entry` (and on the stack).
  void tlb_entry(unsigned tlb) {
    f_.local_get(addr_);
    f_.i32_const(8);  // (address >> 12) * 16
    f_.op(opc::i32_shr_u);
    f_.i32_const(0xff0);
    f_.op(opc::i32_and);
    f_.local_get(tlb);
    f_.op(opc::i32_add);
    f_.local_tee(entry_);
  }

  // The host address through the micro-TLB, every time.
  void lookup(const Slot& s, unsigned op_index, unsigned tlb, uint32_t size) {
    effective_address(s);
    tlb_entry(tlb);
    f_.memory(opc::i32_load, 0);  // the tag
    f_.local_get(addr_);
    f_.i32_const(static_cast<int32_t>(~(kPageSize - 1) | (size - 1)));
    f_.op(opc::i32_and);
    f_.op(opc::i32_ne);
    f_.if_();
    leave(op_index);
    f_.end();
    f_.local_get(addr_);
    f_.local_get(entry_);
    f_.memory(opc::i32_load, 8);  // the host addend
    f_.op(opc::i32_add);
  }

  // A block that jumps or branches to its own start (a loop of one block) runs in a loop of its
  // own: its next turn is a branch back, not a dispatch.
  void write_block(unsigned index) {
    const Block& b = *blocks_[index];
    index_ = index;
    f_.tag(parts_[index], -1);
    char line[96];
    std::snprintf(line, sizeof line, "the block at +0x%03x (%u instructions), entry %u", b.start, b.count, index);
    f_.comment(line);
    self_loop_ = b.exits[0].target == b.start || b.exits[1].target == b.start;
    if (self_loop_) self_ = f_.loop();
    write_block_code(b, parts_[index]);
    if (self_loop_) f_.end();
  }

  void write_block_code(const Block& b, int part) {
    f_.i32_const(static_cast<int32_t>(ptr(&b)));
    f_.local_set(cur_);
    f_.local_get(rem_);  // entered only if the budget covers all of it
    f_.i64_const(b.count);
    f_.op(opc::i64_lt_u);
    f_.if_();
    leave(kNativeNotEntered);
    f_.end();
    count(&b.executions);
    if (use_clock_) {  // lru: last_used = ++*use_clock
      count(use_clock_);
      f_.i32_const(static_cast<int32_t>(ptr(&b.last_used)));
      f_.i32_const(static_cast<int32_t>(ptr(use_clock_)));
      f_.memory(opc::i64_load, 0);
      f_.memory(opc::i64_store, 0);
    }
    for (uint32_t i = 0; i < b.count; ++i) {
      f_.tag(part, static_cast<int>(i));
      const Slot& s = b.ops[i];
      const Op op = kHandlerOp[s.handler];
      const uint32_t next_offset = s.offset + s.length;
      auto alu_ri = [&](uint8_t code) {
        if (s.rd >= 32) return;  // a hint or nop: nothing to do
        get(s.rs1);
        f_.i32_const(s.imm);
        f_.op(code);
        set(s.rd);
      };
      auto alu_rr = [&](uint8_t code) {
        if (s.rd >= 32) return;
        get(s.rs1);
        get(s.rs2);
        f_.op(code);
        set(s.rd);
      };
      auto mul_high = [&](uint8_t extend1, uint8_t extend2) {
        if (s.rd >= 32) return;
        get(s.rs1);
        f_.op(extend1);
        get(s.rs2);
        f_.op(extend2);
        f_.op(opc::i64_mul);
        f_.i64_const(32);
        f_.op(opc::i64_shr_u);
        f_.op(opc::i32_wrap_i64);
        set(s.rd);
      };
      // RISC-V division never traps: x / 0 = all ones, x % 0 = x, INT_MIN / -1 = INT_MIN.
      auto divide = [&](uint8_t code, bool remainder, bool is_signed) {
        if (s.rd >= 32) return;
        if (remainder) get(s.rs1);
        else f_.i32_const(-1);
        f_.local_set(t_);
        get(s.rs2);
        f_.if_();  // (a divisor that is not zero)
        if (is_signed && !remainder) {
          get(s.rs1);
          f_.i32_const(INT32_MIN);
          f_.op(opc::i32_eq);
          get(s.rs2);
          f_.i32_const(-1);
          f_.op(opc::i32_eq);
          f_.op(opc::i32_and);
          f_.if_();
          get(s.rs1);
          f_.local_set(t_);
          f_.else_();
        }
        get(s.rs1);
        get(s.rs2);
        f_.op(code);  // (INT_MIN % -1 is 0 in WebAssembly too)
        f_.local_set(t_);
        if (is_signed && !remainder) f_.end();
        f_.end();
        f_.local_get(t_);
        set(s.rd);
      };
      auto load = [&](uint8_t code, uint32_t size) {
        address(s, i, rtlb_, size);
        f_.memory(code, 0);
        set(s.rd);
      };
      auto store = [&](uint8_t code, uint32_t size) {
        address(s, i, wtlb_, size);
        get(s.rs2);
        f_.memory(code, 0);
      };
      auto branch = [&](uint8_t compare) {
        get(s.rs1);
        get(s.rs2);
        f_.op(compare);
        f_.if_();
        exit(b, 0, int64_t{s.offset} + s.imm, false);
        f_.end();
        exit(b, 1, next_offset, false, true);
      };
      auto link_register = [&] {  // rd = the return address
        if (s.rd >= 32) return;
        f_.local_get(vbase_);
        f_.i32_const(static_cast<int32_t>(next_offset));
        f_.op(opc::i32_add);
        set(s.rd);
      };
      switch (op) {
        case Op::lui:
          if (s.rd < 32) {
            f_.i32_const(s.imm);
            set(s.rd);
          }
          break;
        case Op::auipc:
          if (s.rd < 32) {
            f_.local_get(vbase_);
            f_.i32_const(static_cast<int32_t>(s.offset + static_cast<uint32_t>(s.imm)));
            f_.op(opc::i32_add);
            set(s.rd);
          }
          break;
        case Op::addi: alu_ri(opc::i32_add); break;
        case Op::xori: alu_ri(opc::i32_xor); break;
        case Op::ori: alu_ri(opc::i32_or); break;
        case Op::andi: alu_ri(opc::i32_and); break;
        case Op::slti: alu_ri(opc::i32_lt_s); break;
        case Op::sltiu: alu_ri(opc::i32_lt_u); break;
        case Op::slli: alu_ri(opc::i32_shl); break;  // (WebAssembly masks shift counts as RISC-V does)
        case Op::srli: alu_ri(opc::i32_shr_u); break;
        case Op::srai: alu_ri(opc::i32_shr_s); break;
        case Op::add: alu_rr(opc::i32_add); break;
        case Op::sub: alu_rr(opc::i32_sub); break;
        case Op::xor_: alu_rr(opc::i32_xor); break;
        case Op::or_: alu_rr(opc::i32_or); break;
        case Op::and_: alu_rr(opc::i32_and); break;
        case Op::slt: alu_rr(opc::i32_lt_s); break;
        case Op::sltu: alu_rr(opc::i32_lt_u); break;
        case Op::sll: alu_rr(opc::i32_shl); break;
        case Op::srl: alu_rr(opc::i32_shr_u); break;
        case Op::sra: alu_rr(opc::i32_shr_s); break;
        case Op::mul: alu_rr(opc::i32_mul); break;
        case Op::mulh: mul_high(opc::i64_extend_i32_s, opc::i64_extend_i32_s); break;
        case Op::mulhsu: mul_high(opc::i64_extend_i32_s, opc::i64_extend_i32_u); break;
        case Op::mulhu: mul_high(opc::i64_extend_i32_u, opc::i64_extend_i32_u); break;
        case Op::div: divide(opc::i32_div_s, false, true); break;
        case Op::divu: divide(opc::i32_div_u, false, false); break;
        case Op::rem: divide(opc::i32_rem_s, true, true); break;
        case Op::remu: divide(opc::i32_rem_u, true, false); break;
        case Op::lb: load(opc::i32_load8_s, 1); break;
        case Op::lbu: load(opc::i32_load8_u, 1); break;
        case Op::lh: load(opc::i32_load16_s, 2); break;
        case Op::lhu: load(opc::i32_load16_u, 2); break;
        case Op::lw: load(opc::i32_load, 4); break;
        case Op::sb: store(opc::i32_store8, 1); break;
        case Op::sh: store(opc::i32_store16, 2); break;
        case Op::sw: store(opc::i32_store, 4); break;
        case Op::fence: case Op::fence_tso: case Op::fence_i: break;  // stores keep code coherent
        case Op::jal:
          link_register();
          exit(b, 0, int64_t{s.offset} + s.imm, false, true);
          return;
        case Op::jalr:
          get(s.rs1);  // (before rd is written: it may be rs1)
          f_.i32_const(s.imm);
          f_.op(opc::i32_add);
          f_.i32_const(-2);
          f_.op(opc::i32_and);
          f_.local_set(t_);
          link_register();
          exit(b, 0, 0, true);
          return;
        case Op::beq: branch(opc::i32_eq); return;
        case Op::bne: branch(opc::i32_ne); return;
        case Op::blt: branch(opc::i32_lt_s); return;
        case Op::bge: branch(opc::i32_ge_s); return;
        case Op::bltu: branch(opc::i32_lt_u); return;
        case Op::bgeu: branch(opc::i32_ge_u); return;
        default:  // system instructions, atomics, illegal: the threaded code runs them
          leave(i);
          return;
      }
    }
    f_.tag(part, b.count);
    exit(b, 1, b.end, false, true);  // fell through its last instruction
  }

  std::vector<const Block*> blocks_;
  std::vector<int> parts_;
  const uint64_t* use_clock_;
  std::vector<uint16_t>& lookup_;
  FunctionBody f_;
  int reg_[32] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
  uint32_t written_ = 0;
  size_t index_ = 0;  // the block being written
  unsigned sites_ = 0;  // loads and stores so far
  bool cache_pages_ = false;
  static constexpr unsigned kMaxCachedAccesses = 16;
  std::vector<Label> labels_;  // each block's: a branch to it lands on its code
  bool self_loop_ = false;     // the block being written loops on itself, at `self_`
  Label self_;
  unsigned rem_ = 0, vbase_ = 0, rtlb_ = 0, wtlb_ = 0, ret_ = 0, cur_ = 0, addr_ = 0, entry_ = 0, follow_ = 0, t_ = 0, xp_ = 0;
  Label out_, dispatch_;
};

// A compiled block is called through the function table, as a function (ctx) -> stop code.
uint32_t enter_compiled(NativeContext* ctx, const void* code) {
  using Entry = uint32_t (*)(NativeContext*);
  return reinterpret_cast<Entry>(const_cast<void*>(code))(ctx);
}

class WasmBackend final : public Backend {
 public:
  WasmBackend() = default;
  ~WasmBackend() override {
    vmscope_wasm_forget(owner_);
    for (auto& [page, region] : installed_)
      for (const int index : region->table) vmscope_wasm_free(index);
  }
  WasmBackend(const WasmBackend&) = delete;
  WasmBackend& operator=(const WasmBackend&) = delete;

  const char* name() const override { return "WebAssembly (compiled when hot)"; }
  NativeEntry native_entry() const override { return enter_compiled; }

  uint32_t emit(Block& block) const override {
    threaded_->emit(block);  // every block starts as threaded code
    return static_cast<uint32_t>(sizeof(Block) + block.ops.size() * sizeof(Slot));
  }

  std::vector<HostLine> listing(const Block& block) const override {
    const auto* code = static_cast<const WasmCode*>(block.host.get());
    if (!code) return threaded_->listing(block);
    return code->region->listing[code->part];
  }

  std::string summary(const Block& block) const override {
    char text[320];
    if (const auto* code = static_cast<const WasmCode*>(block.host.get())) {
      const Region& r = *code->region;
      std::snprintf(text, sizeof text,
                    "compiled: WebAssembly module #%llu, its page's %zu hot blocks in %zu functions (%zu bytes, "
                    "installed %.2f ms after it was asked for); guest registers in locals: %s",
                    static_cast<unsigned long long>(r.number), r.blocks.size(), r.functions, r.bytes, r.compile_ms,
                    r.registers.empty() ? "none" : r.registers.c_str());
    } else if (failed_.count(&block)) {
      std::snprintf(text, sizeof text, "threaded code: its module failed to compile (see the log)");
    } else if (block.tier_up_at == kNever) {
      std::snprintf(text, sizeof text, "threaded code: being compiled to WebAssembly");
    } else {
      std::snprintf(text, sizeof text, "threaded code: compiled to WebAssembly after %llu entries (%llu so far)",
                    static_cast<unsigned long long>(block.tier_up_at),
                    static_cast<unsigned long long>(block.executions));
    }
    return text;
  }

  const TierStats* tiers() const override { return &stats_; }

  void hot(Block& block, BlockCache& cache) override {
    block.tier_up_at = kNever;
    const uint32_t page = block.page();
    // The page's first module now; more blocks join it at the next safe point (a run's start),
    // or at once when they would make it a quarter larger: a page is compiled again a few
    // times as its hot code grows, not once per block.
    if (pending_pages_.count(page)) {
      more_.insert(page);
      return;
    }
    if (const auto it = installed_.find(page); it != installed_.end()) {
      more_.insert(page);
      if (4 * ++it->second->joining < it->second->blocks.size()) return;
      more_.erase(page);
    }
    submit(page, cache);
    if (tiering.synchronous) poll(cache);
  }

  void poll(BlockCache& cache) override {
    int out[3 + kMaxParts];
    char message[256];
    while (vmscope_wasm_take(owner_, out, static_cast<int>(std::size(out)), message, sizeof message)) {
      const auto it = pending_.find(out[0]);
      const int parts = out[2];
      if (it == pending_.end()) {  // (cannot happen: every job queued here is pending here)
        for (int i = 0; i < parts; ++i) vmscope_wasm_free(out[3 + i]);
        continue;
      }
      std::unique_ptr<Region> region = std::move(it->second);
      pending_.erase(it);
      pending_pages_.erase(region->page);
      --stats_.pending;
      region->compile_ms = out[1] / 1000.0;
      stats_.compile_ms += region->compile_ms;
      const uint32_t page = region->page;
      if (parts < 0) {
        ++stats_.failures;
        char line[400];
        std::snprintf(line, sizeof line,
                      "WebAssembly backend: the module for page 0x%08x (%zu blocks) failed to compile: %s; its blocks "
                      "stay threaded code",
                      page, region->blocks.size(), message);
        note(line);
        if (!region->cancelled)
          for (Block* b : region->blocks) failed_.insert(b);
        continue;
      }
      region->table.assign(out + 3, out + 3 + parts);
      if (region->cancelled) {  // a block of it went meanwhile: the page's hot blocks again
        for (const int index : region->table) vmscope_wasm_free(index);
        more_.insert(page);
      } else {
        install(std::move(region));
      }
    }
    // Pages whose hot blocks grew since their module was made.
    for (auto it = more_.begin(); it != more_.end();) {
      if (pending_pages_.count(*it)) {
        ++it;
        continue;
      }
      submit(*it, cache);
      it = more_.erase(it);
      if (tiering.synchronous) return poll(cache);  // (installs it, and goes on with the rest)
    }
    // A smaller bound applies at once.
    while (installed_.size() > std::max<uint32_t>(1, tiering.max_modules)) evict_coldest(kNoSuchPage);
  }

  void discard(Block& block) override {
    failed_.erase(&block);
    if (const auto* code = static_cast<const WasmCode*>(block.host.get())) drop(code->region->page);
    for (auto& [job, region] : pending_)
      if (std::find(region->blocks.begin(), region->blocks.end(), &block) != region->blocks.end())
        region->cancelled = true;
  }

 private:
  void note(const std::string& line) {
    if (!log) return;
    log->push_back(line);
    if (log->size() > 64) log->pop_front();
  }

  // Compiles the page's hot blocks (and those half way there) into one module.
  void submit(uint32_t page, BlockCache& cache) {
    auto region = std::make_unique<Region>();
    region->page = page;
    for (Block* b : cache.blocks_in_page(page)) {
      if (failed_.count(b) || region->blocks.size() == kMaxParts) continue;
      if (b->tier_up_at == kNever || 2 * b->executions >= tiering.hot_threshold) {
        b->tier_up_at = kNever;
        region->blocks.push_back(b);
      }
    }
    if (region->blocks.empty()) return;
    region->number = ++stats_.modules_made;
    // Functions: the blocks that reach each other by direct exits and by returns from calls
    // (union-find over the region's blocks).
    const size_t n = region->blocks.size();
    std::vector<size_t> leader(n);
    for (size_t i = 0; i < n; ++i) leader[i] = i;
    auto find = [&](size_t i) {
      while (leader[i] != i) i = leader[i] = leader[leader[i]];
      return i;
    };
    auto part_at = [&](int64_t offset) -> int {
      for (size_t j = 0; j < n; ++j)
        if (region->blocks[j]->start == offset) return static_cast<int>(j);
      return -1;
    };
    for (size_t i = 0; i < n; ++i) {
      const Block& b = *region->blocks[i];
      for (const BlockExit& e : b.exits)
        if (const int j = part_at(e.target); e.target >= 0 && j >= 0) leader[find(i)] = find(static_cast<size_t>(j));
      if (const Block* to = indirect_target(b))  // (an indirect jump's last target: a call through a pointer)
        if (const int j = part_at(to->start); to->page() == b.page() && j >= 0 && region->blocks[j] == to)
          leader[find(i)] = find(static_cast<size_t>(j));
      if (ends_in_call(b))
        if (const int j = part_at(b.end); j >= 0) leader[find(i)] = find(static_cast<size_t>(j));
    }
    std::map<size_t, std::vector<int>> groups;  // by leader: the region's parts, by address
    for (size_t i = 0; i < n; ++i) groups[find(i)].push_back(static_cast<int>(i));
    wasm::Module module;
    std::vector<FunctionBody> bodies;
    std::vector<uint32_t> function_of(n), index_in(n);
    std::string registers;
    for (const auto& [lead, parts] : groups) {
      std::vector<const Block*> blocks;
      for (const int j : parts) {
        function_of[j] = static_cast<uint32_t>(bodies.size());
        index_in[j] = static_cast<uint32_t>(blocks.size());
        blocks.push_back(region->blocks[j]);
      }
      region->lookups.emplace_back();
      FunctionWriter writer(blocks, parts, use_clock, region->lookups.back());
      bodies.push_back(writer.write());
      const std::string used = writer.registers();
      if (!used.empty()) registers += (registers.empty() ? "" : "; ") + used;
    }
    for (const FunctionBody& body : bodies) module.function(module.type(2), body);
    for (size_t j = 0; j < n; ++j) {
      FunctionBody entry({"ctx"});
      entry.local_get(0);
      entry.i32_const(static_cast<int32_t>(index_in[j]));
      entry.call(function_of[j]);
      module.export_function("e" + std::to_string(j), module.function(module.type(1), entry));
    }
    const std::vector<uint8_t> bytes = module.bytes();
    region->bytes = bytes.size();
    region->registers = registers;
    region->functions = bodies.size();
    stats_.bytes += bytes.size();
    // Each block's text: its function's entry, its own part, the function's way out.
    region->listing.resize(n);
    for (size_t j = 0; j < n; ++j) {
      auto& lines = region->listing[j];
      char header[200];
      std::snprintf(header, sizeof header,
                    ";; module #%llu: %zu blocks of page 0x%08x in %zu functions (%zu bytes); this block: function %u, entry %u",
                    static_cast<unsigned long long>(region->number), n, page, bodies.size(), bytes.size(),
                    function_of[j], index_in[j]);
      lines.push_back({-1, header});
      const FunctionBody& body = bodies[function_of[j]];
      bool dispatch_said = false;
      for (const auto& l : body.lines()) {
        if (l.part == -3 && !dispatch_said) {
          dispatch_said = true;
          lines.push_back({-1, "  block $out  loop $dispatch  (one nested block label per block of the function)"});
          lines.push_back({-1, "    br_table on $entry: to the block asked for (again from loops, and indirect jumps)"});
        }
        if (l.part == -1 || l.part == static_cast<int>(j)) lines.push_back({l.op, l.text});
      }
      for (const auto& l : body.lines())
        if (l.part == -2) lines.push_back({region->blocks[j]->count, l.text});
    }
    const int job = ++g_next_job;
    pending_.emplace(job, std::move(region));
    pending_pages_.insert(page);
    ++stats_.pending;
    vmscope_wasm_compile(owner_, job, bytes.data(), static_cast<int>(bytes.size()), static_cast<int>(n),
                         tiering.synchronous, tiering.simulate_failures);
  }

  void install(std::unique_ptr<Region> region) {
    const uint32_t page = region->page;
    if (installed_.count(page)) drop(page, Dropped::replaced);
    for (size_t j = 0; j < region->blocks.size(); ++j) {
      Block& b = *region->blocks[j];
      b.host = std::make_shared<WasmCode>(WasmCode{region.get(), static_cast<unsigned>(j)});
      b.host_code = reinterpret_cast<const void*>(static_cast<uintptr_t>(region->table[j]));
      region->activity_mark += b.executions;
    }
    stats_.blocks_compiled += region->blocks.size();
    installed_[page] = std::move(region);
    stats_.modules_live = installed_.size();
    while (installed_.size() > std::max<uint32_t>(1, tiering.max_modules)) evict_coldest(page);
  }

  // Why a module goes: a block of it went, it was the coldest, or a new one of its page replaces
  // it (then its blocks are in the new one; otherwise they run as threaded code until hot again).
  enum class Dropped { with_a_block, evicted, replaced };
  void drop(uint32_t page, Dropped why = Dropped::with_a_block) {
    const bool again = why != Dropped::replaced;
    const auto it = installed_.find(page);
    if (it == installed_.end()) return;
    Region& r = *it->second;
    for (Block* b : r.blocks) {
      b->host.reset();
      b->host_code = nullptr;
      if (again) b->tier_up_at = b->executions + std::max<uint32_t>(1, tiering.hot_threshold);
    }
    for (const int index : r.table) vmscope_wasm_free(index);
    stats_.blocks_compiled -= r.blocks.size();
    if (why == Dropped::with_a_block) ++stats_.modules_dropped;
    if (why == Dropped::evicted) ++stats_.modules_evicted;
    installed_.erase(it);
    stats_.modules_live = installed_.size();
  }

  // The module whose blocks were entered least since the last eviction goes (never `keep`'s,
  // kNoSuchPage: any).
  void evict_coldest(uint32_t keep) {
    uint32_t coldest = 0;
    uint64_t least = kNever;
    for (const auto& [page, r] : installed_) {
      if (page == keep) continue;
      uint64_t entries = 0;
      for (const Block* b : r->blocks) entries += b->executions;
      if (entries - r->activity_mark < least) least = entries - r->activity_mark, coldest = page;
    }
    if (least == kNever) return;
    drop(coldest, Dropped::evicted);
    for (auto& [page, r] : installed_) {
      r->activity_mark = 0;
      for (const Block* b : r->blocks) r->activity_mark += b->executions;
    }
  }

  std::unique_ptr<Backend> threaded_ = make_threaded_backend();
  std::map<uint32_t, std::unique_ptr<Region>> installed_;  // by physical page
  std::map<int, std::unique_ptr<Region>> pending_;         // by job
  std::set<uint32_t> pending_pages_, more_;                // pages being compiled; asked again meanwhile
  std::set<const Block*> failed_;                          // blocks whose module failed
  const int owner_ = ++g_next_owner;                       // its queue on the JavaScript side
  TierStats stats_;
};

}  // namespace

std::unique_ptr<Backend> make_native_backend() { return std::make_unique<WasmBackend>(); }
bool native_backend_exists() { return true; }
const char* native_backend_label() { return "WebAssembly"; }
#endif

}  // namespace vmscope
