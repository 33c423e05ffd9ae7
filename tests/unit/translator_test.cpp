// The block translator on small programs: precise faults in the middle of a block, a store into
// the running block, chain links made and undone, the cache's bound under both eviction
// policies, and timer interrupts inside chained loops at exactly the interpreter's instruction.
// (Every other hart test also runs on the translator: see unit.hart_tests_on_the_translator.)
#include "machine/block_listing.h"
#include "test_machine.h"

using namespace vmscope;
using namespace vmscope::test;
using namespace vmscope::test::reg;

namespace {

class Translator : public HartTest, public ::testing::WithParamInterface<TranslatorBackend> {
 protected:
  Translator() {
    TranslatorOptions o;
    o.backend = GetParam();
    machine().set_translator_options(o);
    machine().set_engine(Engine::translator);
  }
  BlockCache& cache() { return machine().block_cache(); }
  // An M-mode handler that skips the trapping (4-byte) instruction.
  void skip_handler(uint32_t at) {
    place(at, {csrr(t0, csr::mepc), addi(t0, t0, 4), csrw(csr::mepc, t0), mret()});
    set_csr(csr::mtvec, at);
  }
};
VMSCOPE_HART_TEST_SUITE(Translator);

TEST_P(Translator, FaultInTheMiddleOfABlockIsPrecise) {
  skip_handler(kRam + 0x800);
  // One block: two additions, a load from nowhere, one more addition, then a loop back.
  load({addi(a0, a0, 1), addi(a1, a1, 2), lw(a2, zero, 0x10), addi(a3, a3, 3), jal(zero, -16)});
  run(5 * 10 + 4);  // ten turns, plus the handler's four instructions each
  ASSERT_FALSE(traps().empty());
  const TrapRecord& t = traps().back();
  EXPECT_EQ(t.cause, static_cast<uint32_t>(ExceptionCause::load_access));
  EXPECT_EQ(t.epc, kRam + 8);  // the load, not the block's start or end
  EXPECT_EQ(t.tval, 0x10u);
  EXPECT_GT(cache().stats.translated, 0u);
  // The same run on the interpreter leaves the same registers and counts.
  Machine reference(test_options());
  reference.hart().reset(kRam);
  ASSERT_TRUE(reference.bus().write_bytes(kRam, assemble({addi(a0, a0, 1), addi(a1, a1, 2), lw(a2, zero, 0x10),
                                                           addi(a3, a3, 3), jal(zero, -16)})));
  ASSERT_TRUE(reference.bus().write_bytes(kRam + 0x800, assemble({csrr(t0, csr::mepc), addi(t0, t0, 4),
                                                                  csrw(csr::mepc, t0), mret()})));
  reference.hart().debug_write_csr(csr::mtvec, kRam + 0x800);
  reference.run(5 * 10 + 4);
  for (unsigned r = 1; r < 32; ++r) EXPECT_EQ(x(r), reference.hart().reg(r)) << "x" << r;
  EXPECT_EQ(pc(), reference.hart().pc());
  EXPECT_EQ(hart().instret(), reference.hart().instret());
  EXPECT_EQ(hart().exceptions(), reference.hart().exceptions());
}

TEST_P(Translator, StoreIntoTheRunningBlockTakesEffectAtOnce) {
  // sw a1 over the instruction right after it (in the same block): that one must run as written.
  const uint32_t patched = kRam + 12;
  set_x(s0, patched);
  set_x(a1, addi(a0, zero, 42).bits);
  load({addi(a2, a2, 1), addi(a3, a3, 1), sw(a1, s0, 0), addi(a0, zero, 7), addi(a4, a4, 1), ebreak()});
  skip_handler(kRam + 0x800);
  run(6);
  EXPECT_EQ(x(a0), 42u);  // not 7
  EXPECT_EQ(x(a4), 1u);
  EXPECT_GE(cache().stats.invalidated, 1u);
  EXPECT_TRUE(cache().events().size() >= 1 && cache().events().back().kind == TranslatorEvent::Kind::invalidated);
}

TEST_P(Translator, ChainsWithinAPageAndUnlinksWhenTheTargetGoes) {
  // Two blocks in two 64-byte lines of one page jumping to each other: a0 and a1 count.
  load({addi(a0, a0, 1), jal(zero, 0x100 - 4)});
  place(kRam + 0x100, {addi(a1, a1, 1), jal(zero, -0x104)});
  run(1000);
  EXPECT_EQ(x(a0) + x(a1), 500u);
  ASSERT_EQ(cache().block_count(), 2u);
  EXPECT_EQ(cache().stats.links, 2u);
  EXPECT_GT(cache().chained_entries(), 400u);
  Block* second = cache().find(kRam + 0x100);
  ASSERT_NE(second, nullptr);
  ASSERT_EQ(second->incoming.size(), 1u);
  // Writing the second block's code drops it and the link into it; the first block stays.
  write32(kRam + 0x100, addi(a1, a1, 2).bits);
  EXPECT_EQ(cache().find(kRam + 0x100), nullptr);
  ASSERT_NE(cache().find(kRam), nullptr);
  EXPECT_EQ(cache().find(kRam)->exits[0].to, nullptr);
  const uint32_t a1_before = x(a1);
  run(4);  // the first block, then the new second one
  EXPECT_EQ(x(a1), a1_before + 2);
  EXPECT_EQ(cache().stats.invalidated, 1u);
}

TEST_P(Translator, TinyCacheStaysWithinItsBoundUnderEveryPolicy) {
  for (Eviction eviction : kEvictions) {
    TranslatorOptions o = cache().options();
    o.capacity_kib = kMinCacheKib;
    o.eviction = eviction;
    machine().set_translator_options(o);
    // A long chain of tiny blocks (a jump every other instruction) walks through far more code
    // than 4 KiB of cache holds, twice.
    std::vector<Insn> code;
    for (int i = 0; i < 400; ++i) {
      code.push_back(addi(a0, a0, 1));
      code.push_back(jal(zero, 4));
    }
    code.push_back(addi(a1, a1, 1));
    code.push_back(jal(zero, -4 * 801));
    hart().set_pc(kRam);
    set_x(a0, 0);
    set_x(a1, 0);
    std::vector<uint8_t> bytes;
    for (const Insn& insn : code)
      for (unsigned b = 0; b < insn.length; ++b) bytes.push_back(static_cast<uint8_t>(insn.bits >> (8 * b)));
    ASSERT_TRUE(bus().write_bytes(kRam, bytes));
    run(2 * 802);
    EXPECT_EQ(x(a0), 800u) << to_string(eviction);
    EXPECT_EQ(x(a1), 2u) << to_string(eviction);
    EXPECT_LE(cache().used_bytes(), uint64_t{kMinCacheKib} * 1024) << to_string(eviction);
    EXPECT_GT(eviction == Eviction::flush ? cache().stats.flushes : cache().stats.evicted, 0u) << to_string(eviction);
    EXPECT_GT(cache().stats.retranslated, 0u) << "the second walk translates again what the first one lost";
  }
}

TEST_P(Translator, LruKeepsTheHotBlockFifoDropsIt) {
  // A hub entered between every two cold blocks: it jumps through s1 to the next cold block, which
  // advances s1 and jumps back. 250 cold blocks are far more than 4 KiB of cache holds.
  constexpr int kCold = 250;  // (the last one's addi goes back 8 * 249: within 12 bits)
  const uint32_t hub = kRam, cold = kRam + 0x100;
  place(hub, {addi(a1, a1, 1), jalr(zero, s1, 0)});
  for (int i = 0; i < kCold; ++i) {
    const uint32_t at = cold + 8 * static_cast<uint32_t>(i);
    place(at, {addi(s1, s1, i + 1 < kCold ? 8 : -8 * (kCold - 1)), jal(zero, static_cast<int32_t>(hub - (at + 4)))});
  }
  for (Eviction eviction : {Eviction::lru, Eviction::fifo}) {
    TranslatorOptions o = cache().options();
    o.capacity_kib = kMinCacheKib;
    o.eviction = eviction;
    machine().set_translator_options(o);
    cache().flush();
    hart().set_pc(hub);
    set_x(s1, cold);
    set_x(a1, 0);
    run(4 * 2);  // the hub, translated once here
    ASSERT_NE(cache().find(hub), nullptr);
    const uint64_t hub_serial = cache().find(hub)->serial;
    const uint64_t evicted = cache().stats.evicted;
    run(4 * 2 * kCold);  // two walks through the cold blocks
    EXPECT_EQ(x(a1), 2u * kCold + 2) << to_string(eviction);
    EXPECT_GT(cache().stats.evicted, evicted) << to_string(eviction);
    ASSERT_NE(cache().find(hub), nullptr);
    if (eviction == Eviction::lru)
      EXPECT_EQ(cache().find(hub)->serial, hub_serial) << "lru: the hub, entered every other block, never went";
    else
      EXPECT_NE(cache().find(hub)->serial, hub_serial) << "fifo: the hub is the oldest block, so it went first";
  }
}

TEST_P(Translator, TimerInterruptInAChainedLoopLandsWhereTheInterpreterTakesIt) {
  // A tight loop; the timer (mtimecmp) fires in the middle of it; the handler notes where and
  // turns the timer interrupt off.
  auto program = [](Hart& h, Bus& bus) {
    const std::vector<uint8_t> loop = assemble({addi(a0, a0, 1), addi(a1, a1, 3), bne(a0, zero, -8)});
    const std::vector<uint8_t> handler = assemble({addi(a2, a2, 1), csrr(t1, csr::mepc), csrw(csr::mie, zero), mret()});
    ASSERT_TRUE(bus.write_bytes(kRam, loop));
    ASSERT_TRUE(bus.write_bytes(kRam + 0x400, handler));
    h.debug_write_csr(csr::mtvec, kRam + 0x400);
    h.debug_write_csr(csr::mie, kMipMtip);
    h.debug_write_csr(csr::mstatus, kMstatusMie);
    h.set_mtimecmp(1237);  // mtime ticks every 10 steps: lands mid-loop
  };
  program(hart(), bus());
  hart().set_pc(kRam);
  Machine reference(test_options());
  program(reference.hart(), reference.bus());
  reference.hart().set_pc(kRam);
  run(20000);
  reference.run(20000);
  ASSERT_EQ(hart().interrupts(), 1u);
  EXPECT_EQ(x(t1), reference.hart().reg(t1));  // the same interrupted pc
  EXPECT_EQ(x(a0), reference.hart().reg(a0));
  EXPECT_EQ(traps().back().step, reference.hart().trap_log().records().back().step);
  EXPECT_GT(cache().chained_entries(), 1000u);
}

TEST_P(Translator, SingleStepsAndBreakpointsInsideABlock) {
  load({addi(a0, a0, 1), addi(a1, a1, 1), addi(a2, a2, 1), addi(a3, a3, 1), jal(zero, -16)});
  for (int i = 0; i < 7; ++i) ASSERT_EQ(run(1).steps, 1u);
  EXPECT_EQ(pc(), kRam + 8);  // one turn of five, then two
  EXPECT_EQ(x(a2), 1u);
  hart().set_breakpoints({kRam + 12});  // the fourth instruction of the loop's block
  RunResult r = run(1000);
  EXPECT_EQ(r.reason, StopReason::breakpoint);
  EXPECT_EQ(pc(), kRam + 12);
  EXPECT_EQ(r.steps, 1u);
  EXPECT_EQ(x(a2), 2u);
  EXPECT_EQ(x(a3), 1u);
  r = run(1000);  // resumes from the breakpoint and stops there again one turn later
  EXPECT_EQ(r.reason, StopReason::breakpoint);
  EXPECT_EQ(r.steps, 5u);
  EXPECT_EQ(x(a2), 3u);
  EXPECT_EQ(x(a3), 2u);
  EXPECT_GT(cache().stats.translated, 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, Translator, ::testing::Values(TranslatorBackend::native, TranslatorBackend::threaded),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace

TEST_P(Translator, ListingFollowsEachGuestInstructionWithItsHostCode) {
  load({addi(a0, a0, 1), addi(a1, a1, 2), jal(zero, -8)});
  run(6);
  const Block* b = cache().find(kRam);
  ASSERT_NE(b, nullptr);
  const std::vector<ListingRow> rows = block_listing(machine(), *b);
  std::vector<std::string> guest;
  std::vector<std::vector<std::string>> host_of(1);  // [0]: the entry; [k]: after guest instruction k
  for (const ListingRow& r : rows) {
    if (r.kind == ListingRow::Kind::guest) {
      guest.push_back(r.text);
      host_of.emplace_back();
    } else {
      host_of.back().push_back(r.text);
    }
  }
  ASSERT_EQ(guest.size(), 3u);
  EXPECT_NE(guest[0].find("addi a0,a0,1"), std::string::npos) << guest[0];
  EXPECT_NE(guest[2].find("jal zero,"), std::string::npos) << guest[2];
  for (size_t k = 1; k <= 3; ++k) EXPECT_FALSE(host_of[k].empty()) << "guest instruction " << k - 1 << " has host code";
  auto mentions = [](const std::vector<std::string>& lines, const std::string& what) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(what) != std::string::npos; });
  };
  if (GetParam() == TranslatorBackend::native && cache().native()) {
    // x86-64 by capstone: the budget check at the entry, which loads a0 (x10, used twice) from
    // its slot into a host register; addi a0, a0, 1 is one host instruction on it; written back
    // on the way out.
    EXPECT_TRUE(mentions(host_of[0], "cmp    r15, 3")) << host_of[0].front();
    EXPECT_TRUE(mentions(host_of[0], "mov    r8d, dword ptr [rbx + 0x28]")) << host_of[0].back();
    ASSERT_EQ(host_of[1].size(), 1u);
    EXPECT_TRUE(mentions(host_of[1], "add    r8d, 1")) << host_of[1].front();
    EXPECT_TRUE(mentions(host_of[3], "mov    dword ptr [rbx + 0x28], r8d")) << "written back at the exit";
    EXPECT_TRUE(mentions(host_of[3], "<exit 0's count>")) << "the jump counts its exit";
    EXPECT_EQ(cache().backend().summary(*b),
              "host registers: a0 in r8, a1 in r9; loops on itself: its turns run in its own code, registers kept")
        << "(each used twice; the jump goes back to the block's start)";
  } else {
    EXPECT_TRUE(mentions(host_of[1], "addi")) << host_of[1].front();
  }
}

TEST_P(Translator, ALoopOnItselfKeepsItsRegistersAcrossTurnsAndHandOvers) {
  // One block looping on itself: a load that walks across pages (a micro-TLB miss every fourth
  // turn hands over to threaded code at the load, with the previous turn's counter still in a
  // host register), a counter, the pointer's step, the branch back.
  load({lw(t0, a0, 0), addi(a1, a1, 1), add(t1, t1, t0), addi(a0, a0, 1024), bne(a1, a2, -16)});
  set_x(a0, kRam + 0x10000);
  set_x(a2, 40);
  for (uint32_t i = 0; i < 40; ++i) write32(kRam + 0x10000 + 1024 * i, i + 1);
  run(5 * 40);
  EXPECT_EQ(x(a1), 40u);
  EXPECT_EQ(x(a0), kRam + 0x10000 + 40 * 1024);
  EXPECT_EQ(x(t1), 40u * 41 / 2);  // every word loaded once, in order
  EXPECT_EQ(pc(), kRam + 20);
  EXPECT_EQ(hart().instret(), 200u);
  const Block* b = cache().find(kRam);
  ASSERT_NE(b, nullptr);
  // The profile counts every turn, whether the loop head let it in, a hand-over ended it or
  // threaded code ran it: 40 entries, 39 times back through exit 0, once out through exit 1.
  EXPECT_EQ(b->executions, 40u);
  if (cache().native())
    EXPECT_EQ(cache().backend().summary(*b),
              "host registers: a0 in r8, a1 in r9, t0 in r10, t1 in r11, a2 in r12; loops on itself: its turns run in "
              "its own code, registers kept; 1 page slot (each access remembers its page across turns)");
  EXPECT_EQ(b->exits[0].taken, 39u);
  EXPECT_EQ(b->exits[1].taken, 1u);
}

TEST_P(Translator, ALoopTurnedAwayByItsBudgetCountsAsTheInterpreterWould) {
  // A three-instruction loop on itself, run for ten turns and one instruction: the eleventh turn
  // does not fit the budget, so the interpreter runs that one instruction.
  load({addi(a0, a0, 1), addi(a1, a1, 2), bne(a0, a2, -8)});
  set_x(a2, 1000);
  run(3 * 10 + 1);
  EXPECT_EQ(x(a0), 11u);
  EXPECT_EQ(x(a1), 20u);
  EXPECT_EQ(pc(), kRam + 4);
  const Block* b = cache().find(kRam);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->executions, 10u);
  EXPECT_EQ(b->exits[0].taken, 10u) << "the tenth turn went back through exit 0, and was turned away";
  EXPECT_EQ(b->exits[1].taken, 0u);
}

TEST_P(Translator, ALoopCallingTheDivisionHelperKeepsItsTurnCount) {
  // divu calls a C helper from native code: the loop's registers and its turn count survive it.
  load({divu(t0, a1, a2), add(t1, t1, t0), addi(a0, a0, 1), bne(a0, a3, -12)});
  set_x(a1, 1000);
  set_x(a2, 7);
  set_x(a3, 25);
  run(4 * 25);
  EXPECT_EQ(x(a0), 25u);
  EXPECT_EQ(x(t1), 25u * (1000 / 7));
  const Block* b = cache().find(kRam);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->executions, 25u);
  EXPECT_EQ(b->exits[0].taken, 24u);
}

TEST_P(Translator, ALoopAcrossAPageBoundaryChainsAndChecksTheCodeEpoch) {
  // Block A ends at the end of a page and falls through to block B, which branches back: native
  // code links both ways across the boundary (threaded code only within a page).
  place(kRam + 0xff8, {addi(a0, a0, 1), addi(a1, a1, 1)});
  place(kRam + 0x1000, {addi(a2, a2, 1), bne(a2, a3, -12)});
  hart().set_pc(kRam + 0xff8);
  set_x(a3, 1000);
  run(4 * 100);
  EXPECT_EQ(x(a0), 100u);
  EXPECT_EQ(x(a2), 100u);
  const bool native = cache().native();
  const uint64_t lookups = cache().stats.lookups;
  if (native) {
    EXPECT_EQ(lookups, 3u) << "the start, then once per link while it was made";
  } else {
    EXPECT_EQ(lookups, 200u) << "threaded code goes through the table at every boundary crossing";
  }
  // The epoch moves (as a TLB flush, a satp write or a trap moves it): each link to another page
  // is checked, found stale once, made again by the executor, and followed from then on.
  ++cache().code_epoch;
  run(4 * 100);
  EXPECT_EQ(x(a0), 200u);
  EXPECT_EQ(x(a2), 200u);
  EXPECT_EQ(cache().stats.lookups - lookups, native ? 3u : 200u);
}

TEST_P(Translator, ReturnsFromAFunctionOnAnotherPageArePredicted) {
  // Two calls a turn to a function on the next page; each return goes back to its own caller.
  load({jal(ra, 0x1000), addi(a1, a1, 1), jal(ra, 0x1000 - 8), addi(a2, a2, 1), bne(a2, a3, -16)});
  place(kRam + 0x1000, {addi(a0, a0, 1), jalr(zero, ra, 0)});
  set_x(a3, 50);
  run(9 * 50);
  EXPECT_EQ(x(a0), 100u);
  EXPECT_EQ(x(a1), 50u);
  EXPECT_EQ(x(a2), 50u);
  if (cache().native()) {
    // The first turn's two returns find their callers' slots empty (the executor fills them);
    // every later return goes straight to its caller's block.
    EXPECT_EQ(cache().returns.predicted, 2u * 49);
    EXPECT_EQ(cache().stats.lookups, 6u) << "the start, and each link or slot while it was made";
  } else {
    EXPECT_EQ(cache().returns.predicted, 0u) << "threaded code follows links within a page only";
  }
  // The code a return goes back to changes (its block goes, and the code epoch moves): the
  // prediction is not followed into the old block.
  write32(kRam + 4, addi(a1, a1, 2).bits);
  hart().set_pc(kRam);
  set_x(a3, 60);
  run(9 * 10);
  EXPECT_EQ(x(a1), 50u + 2 * 10);
  EXPECT_EQ(x(a2), 60u);
}

TEST_P(Translator, OptimizedBlockComputesWhatTheInterpreterDoes) {
  // A straight block the optimizer rewrites (a constant, a move, multiplication, division and
  // remainder by 8, a dead write; loads and stores through one base register sharing a page
  // slot, the third load on the next page), then a loop on itself whose accesses keep their pages
  // in page slots while walking across page boundaries. The same steps on the interpreter leave
  // the same registers and memory.
  const std::initializer_list<Insn> straight = {
      addi(t0, zero, 8), mul(t1, a1, t0), add(t2, zero, a1), divu(a2, a1, t0), remu(a3, a1, t0),
      slli(a4, a1, 3), addi(a4, a1, 1),  // the shift is dead
      lw(a5, a0, 0), lw(a6, a0, 4), lw(a7, a0, 8), sw(a4, a0, 12), sw(a5, a0, -4), add(s2, a5, a6),
      jal(zero, 0x200 - 13 * 4)};
  const std::initializer_list<Insn> loop = {lw(t3, s4, 0),  add(s5, s5, t3),  sw(s5, s6, 0), addi(s4, s4, 4),
                                            addi(s6, s6, 4), addi(s7, s7, -1), bne(s7, zero, -24), ebreak()};
  const uint32_t page_end = kRam + 0x11000, array = kRam + 0x20000 - 40, out = kRam + 0x30000 - 20;
  auto set_up = [&](Bus& b, Hart& h) {
    ASSERT_TRUE(b.write_bytes(kRam, assemble(straight)));
    ASSERT_TRUE(b.write_bytes(kRam + 0x200, assemble(loop)));
    for (uint32_t i = 0; i < 64; ++i) {
      const uint32_t v = 0x1000 * i + 7 * i + 1;
      uint8_t bytes[4];
      std::memcpy(bytes, &v, 4);
      ASSERT_TRUE(b.write_bytes(page_end - 16 + 4 * i, bytes));
      ASSERT_TRUE(b.write_bytes(array + 4 * i, bytes));
    }
    h.set_pc(kRam);
    h.set_reg(a0, page_end - 8);  // a0 + 8: the next page
    h.set_reg(a1, 13);
    h.set_reg(s4, array);
    h.set_reg(s6, out);
    h.set_reg(s7, 30);
  };
  set_up(bus(), hart());
  const uint64_t steps = 14 + 7 * 30;
  run(steps);
  Machine reference(test_options());
  reference.hart().reset(kRam);
  set_up(reference.bus(), reference.hart());
  reference.run(steps);
  for (unsigned r = 1; r < 32; ++r) EXPECT_EQ(x(r), reference.hart().reg(r)) << "x" << r;
  EXPECT_EQ(pc(), reference.hart().pc());
  EXPECT_EQ(pc(), kRam + 0x200 + 7 * 4) << "at the ebreak";
  EXPECT_EQ(hart().instret(), reference.hart().instret());
  for (uint32_t i = 0; i < 40; ++i) {
    uint8_t mine[4], theirs[4];
    ASSERT_TRUE(bus().read_bytes(out + 4 * i, mine));
    ASSERT_TRUE(reference.bus().read_bytes(out + 4 * i, theirs));
    EXPECT_EQ(std::memcmp(mine, theirs, 4), 0) << "word " << i;
  }
  EXPECT_EQ(read32(page_end + 4), 14u) << "sw a4, 12(a0): a1 + 1, on the next page";
  EXPECT_EQ(read32(page_end - 12), x(a5)) << "sw a5, -4(a0)";
  EXPECT_EQ(x(t1), 13u * 8);
  EXPECT_EQ(x(a2), 1u);
  EXPECT_EQ(x(a3), 5u);
  if (cache().native()) {
    const Block* b = cache().find(kRam);
    ASSERT_NE(b, nullptr);
    EXPECT_NE(cache().backend().summary(*b).find("2 page slots (accesses through one base register share a lookup)"),
              std::string::npos)
        << cache().backend().summary(*b);
    EXPECT_NE(cache().backend().summary(*b).find("1 dead write dropped"), std::string::npos) << cache().backend().summary(*b);
  }
}

namespace {
// A loop of two paths: even words take the branch to C, odd ones fall into B (which runs C's
// instructions too, as its own block). With traces after two entries, A -> C -> back becomes a
// trace whose side exit leads to B.
//   A: lw t0, 0(a0); andi t1, t0, 1; beq t1, zero, C
//   B: addi a2, a2, 1; add a3, a3, t0; addi a0, a0, 4; addi a1, a1, -1; bne a1, zero, A
//   C: add a3, a3, t0; addi a0, a0, 4; addi a1, a1, -1; bne a1, zero, A
//   ebreak
const std::initializer_list<Insn> kTwoPathLoop = {
    lw(t0, a0, 0),    andi(t1, t0, 1), beq(t1, zero, 24),  addi(a2, a2, 1), add(a3, a3, t0),
    addi(a0, a0, 4),  addi(a1, a1, -1), bne(a1, zero, -28), add(a3, a3, t0), addi(a0, a0, 4),
    addi(a1, a1, -1), bne(a1, zero, -44), ebreak()};
constexpr uint32_t kTwoPathData = kRam + 0x10000;
constexpr uint32_t kTwoPathWords = 300;
// The words: i * 2, but every 7th is odd.
uint32_t two_path_word(uint32_t i) { return i % 7 == 3 ? 2 * i + 1 : 2 * i; }
void place_two_path_loop(Bus& bus, Hart& hart) {
  ASSERT_TRUE(bus.write_bytes(kRam, assemble(kTwoPathLoop)));
  for (uint32_t i = 0; i < kTwoPathWords; ++i) {
    const uint32_t v = two_path_word(i);
    uint8_t bytes[4];
    std::memcpy(bytes, &v, 4);
    ASSERT_TRUE(bus.write_bytes(kTwoPathData + 4 * i, bytes));
  }
  hart.set_pc(kRam);
  hart.set_reg(a0, kTwoPathData);
  hart.set_reg(a1, kTwoPathWords);
}
}  // namespace

TEST_P(Translator, ATraceRunsAHotPathAcrossBlocksAndLeavesBySideExitsExactly) {
  TranslatorOptions o = cache().options();
  o.trace_threshold = 2;
  machine().set_translator_options(o);
  place_two_path_loop(bus(), hart());
  uint32_t odd = 0, sum = 0;
  for (uint32_t i = 0; i < kTwoPathWords; ++i) odd += two_path_word(i) & 1, sum += two_path_word(i);
  const uint64_t steps = 3 * kTwoPathWords + 5 * odd + 4 * (kTwoPathWords - odd);  // up to the ebreak
  run(steps);
  EXPECT_EQ(pc(), kRam + 12 * 4);
  EXPECT_EQ(x(a2), odd);
  EXPECT_EQ(x(a3), sum);
  EXPECT_EQ(hart().instret(), steps);
  Machine reference(test_options());
  reference.hart().reset(kRam);
  place_two_path_loop(reference.bus(), reference.hart());
  reference.run(steps);
  for (unsigned r = 1; r < 32; ++r) EXPECT_EQ(x(r), reference.hart().reg(r)) << "x" << r;
  // The profile counts every block as if no trace existed (threaded code has none).
  const Block* a = cache().find(kRam);
  const Block* b = cache().find(kRam + 12);
  const Block* c = cache().find(kRam + 32);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->executions, kTwoPathWords);
  EXPECT_EQ(a->exits[0].taken, kTwoPathWords - odd) << "to C";
  EXPECT_EQ(a->exits[1].taken, odd) << "into B";
  EXPECT_EQ(b->executions, odd);
  EXPECT_EQ(c->executions, kTwoPathWords - odd);
  EXPECT_EQ(b->exits[0].taken + c->exits[0].taken, kTwoPathWords - 1) << "back to A";
  if (cache().native()) {
    // (B and C make traces of their own too: B -> A -> C, C -> A.)
    ASSERT_NE(a->heads, nullptr);
    const Trace& t = *a->heads;
    ASSERT_EQ(t.blocks.size(), 2u);
    EXPECT_EQ(t.blocks[0], a);
    EXPECT_EQ(t.blocks[1], c);
    EXPECT_TRUE(t.loops);
    EXPECT_EQ(t.instructions, 7u);
    EXPECT_EQ(cache().trace_of(*a), &t);
    // Left in A: every odd word (the side exit into B; the first odd word comes after the trace
    // was made); in C: the loop's end.
    EXPECT_EQ(t.left[0], odd) << "every odd word's side exit into B (the load's page is in the micro-TLB)";
    EXPECT_EQ(t.left[1], 1u) << "the last turn leaves at C's bne";
    EXPECT_NE(cache().backend().trace_summary(t).find("a trace of 2 blocks, 7 instructions, a loop"), std::string::npos)
        << cache().backend().trace_summary(t);
    // The listing: both blocks' instructions, each followed by the trace's code for it.
    const std::vector<ListingRow> rows = trace_listing(machine(), t);
    int headings = 0, guest = 0;
    for (const ListingRow& r : rows) {
      headings += r.kind == ListingRow::Kind::heading && r.text.rfind("block ", 0) == 0;
      guest += r.kind == ListingRow::Kind::guest && r.text.find("(cold)") == std::string::npos;
    }
    EXPECT_EQ(headings, 2);
    EXPECT_EQ(guest, 7);
    EXPECT_EQ(trace_path(machine(), t), "80000000 -> 80000020 -> back");
  } else {
    EXPECT_TRUE(cache().traces().empty());
  }
}

TEST_P(Translator, AStoreIntoATraceDropsItAndTheNewCodeRuns) {
  // The trace of kTwoPathLoop, then a store (from the guest, in B) rewrites C's add into a sub:
  // the trace goes with C, and the rest of the run subtracts.
  TranslatorOptions o = cache().options();
  o.trace_threshold = 2;
  machine().set_translator_options(o);
  // B stores s1 (a sub a3, a3, t0) over C's add when a2 reaches 3: B becomes
  //   addi a2, a2, 1; bne a2, s2, +8; sw s1, 0(s0); add a3, a3, t0; ... (C moves 8 bytes on)
  const std::vector<uint8_t> code = assemble(
      {lw(t0, a0, 0),   andi(t1, t0, 1), beq(t1, zero, 32), addi(a2, a2, 1),  bne(a2, s2, 8),
       sw(s1, s0, 0),   add(a3, a3, t0), addi(a0, a0, 4),   addi(a1, a1, -1), bne(a1, zero, -36),
       add(a3, a3, t0), addi(a0, a0, 4), addi(a1, a1, -1),  bne(a1, zero, -52), jal(zero, 0)});
  const uint32_t c_add = kRam + 10 * 4;
  ASSERT_TRUE(bus().write_bytes(kRam, code));
  for (uint32_t i = 0; i < kTwoPathWords; ++i) write32(kTwoPathData + 4 * i, two_path_word(i));
  hart().set_pc(kRam);
  set_x(a0, kTwoPathData);
  set_x(a1, kTwoPathWords);
  set_x(s0, c_add);
  set_x(s1, sub(a3, a3, t0).bits);
  set_x(s2, 3);
  run(100000);
  EXPECT_EQ(pc(), kRam + 14 * 4) << "spinning at the end";
  // Expected: even words before the third odd one add, after it subtract.
  uint32_t expect = 0, odd = 0;
  for (uint32_t i = 0; i < kTwoPathWords; ++i) {
    const uint32_t v = two_path_word(i);
    if (v & 1) ++odd;
    if (v & 1) expect += v;
    else expect = odd >= 3 ? expect - v : expect + v;
  }
  EXPECT_EQ(x(a3), expect);
  if (cache().native()) {
    EXPECT_GE(cache().stats.traces, 2u) << "the trace was made again from the new code";
    EXPECT_GE(cache().stats.traces_dropped, 1u);
  }
}

TEST_P(Translator, ATimerInterruptInsideATraceLandsWhereTheInterpreterTakesIt) {
  TranslatorOptions o = cache().options();
  o.trace_threshold = 2;
  machine().set_translator_options(o);
  auto program = [](Hart& h, Bus& bus) {
    place_two_path_loop(bus, h);
    const std::vector<uint8_t> handler = assemble({addi(t2, t2, 1), csrr(t3, csr::mepc), csrw(csr::mie, zero), mret()});
    ASSERT_TRUE(bus.write_bytes(kRam + 0x400, handler));
    h.debug_write_csr(csr::mtvec, kRam + 0x400);
    h.debug_write_csr(csr::mie, kMipMtip);
    h.debug_write_csr(csr::mstatus, kMstatusMie);
    h.set_mtimecmp(53);  // mtime ticks every 10 steps: step 530, well inside the trace's turns
  };
  program(hart(), bus());
  Machine reference(test_options());
  program(reference.hart(), reference.bus());
  run(2000);
  reference.run(2000);
  ASSERT_EQ(hart().interrupts(), 1u);
  EXPECT_EQ(x(t3), reference.hart().reg(t3)) << "the same interrupted pc";
  for (unsigned r = 1; r < 32; ++r) EXPECT_EQ(x(r), reference.hart().reg(r)) << "x" << r;
  EXPECT_EQ(traps().back().step, reference.hart().trap_log().records().back().step);
  if (cache().native()) {
    ASSERT_FALSE(cache().traces().empty());
    EXPECT_GT(cache().traces().front()->entries, 0u);
  }
}
