// Two machines, one engine each, compared block by block.
#include "machine/lockstep.h"

#include <cstdio>
#include <cstring>

#include "isa/isa_table.h"
#include "machine/linux_process.h"
#include "vmm/monitor.h"

namespace vmscope {

namespace {

MachineOptions with_engine(MachineOptions options, Engine engine) {
  options.engine = engine;
  return options;
}

std::string hex(uint64_t v) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(v));
  return text;
}

}  // namespace

Lockstep::Lockstep(MachineOptions options, uint64_t every_steps)
    : translated_(with_engine(options, Engine::translator)),
      reference_(with_engine(options, Engine::interpreter)),
      every_steps_(every_steps) {
  if (every_steps_ == 0)
    translated_.hart().block_boundary_hook = [this] {
      difference_ = catch_up_and_compare(memory_due());
      return difference_.empty();
    };
  translated_.on_output = [this](int fd, std::string_view bytes) {
    output_[0] += bytes;
    if (on_output) on_output(fd, bytes);
  };
  reference_.on_output = [this](int, std::string_view bytes) { output_[1] += bytes; };
  translated_.read_stdin = [this](uint8_t* buffer, size_t size) -> size_t {
    const size_t n = read_stdin ? read_stdin(buffer, size) : 0;
    stdin_replay_.append(reinterpret_cast<const char*>(buffer), n);
    return n;
  };
  // The host's clocks, read once for the translated machine, replayed to the reference.
  translated_.host_clock = [this](bool realtime) {
    const int64_t ns = LinuxProcess::read_host_clock(realtime);
    clock_replay_.push_back(ns);
    return ns;
  };
  reference_.host_clock = [this](bool realtime) {
    if (clock_replay_.empty()) return LinuxProcess::read_host_clock(realtime);
    const int64_t ns = clock_replay_.front();
    clock_replay_.pop_front();
    return ns;
  };
  reference_.read_stdin = [this](uint8_t* buffer, size_t size) -> size_t {
    const size_t n = std::min(size, stdin_replay_.size());
    std::memcpy(buffer, stdin_replay_.data(), n);
    stdin_replay_.erase(0, n);
    return n;
  };
}

ElfResult Lockstep::load(std::span<const uint8_t> file, std::string_view file_name) {
  ElfResult r = reference_.load(file, file_name);
  if (r.ok()) r = translated_.load(file, file_name);
  return r;
}

void Lockstep::feed_input(std::string_view bytes) {
  translated_.feed_input(bytes);
  reference_.feed_input(bytes);
}

LockstepResult Lockstep::run(uint64_t max_steps) {
  LockstepResult result;
  difference_.clear();
  reference_last_stop_ = StopReason::budget;
  RunResult t;
  if (every_steps_ == 0) {
    t = translated_.run(max_steps);
  } else {
    for (uint64_t done = 0; done < max_steps && difference_.empty();) {
      t = translated_.run(std::min(every_steps_, max_steps - done));
      done += t.steps;
      if (t.reason != StopReason::budget) break;
      difference_ = catch_up_and_compare(memory_due());
    }
  }
  result.run = t;
  if (difference_.empty() && t.reason != StopReason::check_failed) {
    // The end of the run: the reference catches up, and stops the same way.
    const uint64_t before = reference_.hart().steps();
    RunResult r{reference_last_stop_, 0};
    if (translated_.hart().steps() > before) r = reference_.run(translated_.hart().steps() - before);
    // A wait (WFI with nothing to wake it, a read() with no input) ends the translated run
    // without a step; the reference meets it on its next step.
    if (t.reason == StopReason::idle && r.reason == StopReason::budget) r.reason = reference_.run(1).reason;
    if (r.reason != t.reason || reference_.hart().steps() != translated_.hart().steps())
      difference_ = std::string("stopped differently: translator ") + to_string(t.reason) + " at step " +
                    std::to_string(translated_.hart().steps()) + ", interpreter " + to_string(r.reason) + " at step " +
                    std::to_string(reference_.hart().steps());
    if (difference_.empty()) difference_ = compare(true);
  }
  result.difference = difference_;
  result.comparisons = comparisons_;
  result.memory_comparisons = memory_comparisons_;
  return result;
}

bool Lockstep::memory_due() {
  const uint64_t now = translated_.hart().steps();
  if (now - memory_compared_at_ < kMemoryEvery) return false;
  memory_compared_at_ = now;
  return true;
}

std::string Lockstep::catch_up_and_compare(bool with_memory) {
  const uint64_t target = translated_.hart().steps();
  const uint64_t at = reference_.hart().steps();
  if (target > at) {
    const RunResult r = reference_.run(target - at);
    reference_last_stop_ = r.reason;
    if (reference_.hart().steps() != target)
      return std::string("the interpreter stopped early (") + to_string(r.reason) + ": " + reference_.hart().stop_message +
             ") at step " + std::to_string(reference_.hart().steps()) + ", the translator went on to step " +
             std::to_string(target);
  }
  // Waking from WFI takes no step: the translated hart may have done it where the reference's
  // run ended just before doing it.
  if (!translated_.hart().waiting()) reference_.hart().wake_on_interrupt();
  return compare(with_memory);
}

std::string Lockstep::compare(bool with_memory) {
  ++comparisons_;
  const Hart& a = translated_.hart();
  const Hart& b = reference_.hart();
  // Where, and each engine's last trap: a difference is most often a trap taken by one only.
  auto last_trap = [](const Hart& h) {
    if (h.trap_log().records().empty()) return std::string("none");
    const TrapRecord& t = h.trap_log().records().back();
    const unsigned code = t.cause & 0x7fffffff;
    return std::string(t.cause >> 31 ? interrupt_name(code) : exception_name(code)) + " at step " +
           std::to_string(t.step) + ", epc " + hex(t.epc) + ", tval " + hex(t.tval);
  };
  // Built only for a difference: this runs after every block.
  auto where = [&] {
    return " after " + std::to_string(a.steps()) + " steps (last trap: translator " + last_trap(a) + "; interpreter " +
           last_trap(b) + ")";
  };
  auto differ = [&](const char* what, uint64_t x, uint64_t y) {
    return x == y ? std::string() : std::string(what) + ": translator " + hex(x) + ", interpreter " + hex(y) + where();
  };
  std::string d;
  for (unsigned i = 1; i < 32 && d.empty(); ++i)
    if (a.reg(i) != b.reg(i)) d = differ(isa::kAbiRegisterNames[i], a.reg(i), b.reg(i));
  const CsrState &ca = a.csrs(), &cb = b.csrs();
  const struct {
    const char* name;
    uint64_t x, y;
  } fields[] = {
      {"pc", a.pc(), b.pc()},
      {"privilege", static_cast<uint64_t>(a.priv()), static_cast<uint64_t>(b.priv())},
      {"steps", a.steps(), b.steps()},
      {"instret", a.instret(), b.instret()},
      {"exceptions", a.exceptions(), b.exceptions()},
      {"interrupts", a.interrupts(), b.interrupts()},
      {"mtime", a.mtime(), b.mtime()},
      {"mtimecmp", a.mtimecmp(), b.mtimecmp()},
      {"stimecmp", a.stimecmp(), b.stimecmp()},
      {"waiting (WFI)", a.waiting(), b.waiting()},
      {"mstatus", ca.mstatus, cb.mstatus},
      {"medeleg", ca.medeleg, cb.medeleg},
      {"mideleg", ca.mideleg, cb.mideleg},
      {"mie", ca.mie, cb.mie},
      {"mip", ca.mip, cb.mip},
      {"mtvec", ca.mtvec, cb.mtvec},
      {"mscratch", ca.mscratch, cb.mscratch},
      {"mepc", ca.mepc, cb.mepc},
      {"mcause", ca.mcause, cb.mcause},
      {"mtval", ca.mtval, cb.mtval},
      {"mcounteren", ca.mcounteren, cb.mcounteren},
      {"scounteren", ca.scounteren, cb.scounteren},
      {"stvec", ca.s.tvec, cb.s.tvec},
      {"sscratch", ca.s.scratch, cb.s.scratch},
      {"sepc", ca.s.epc, cb.s.epc},
      {"scause", ca.s.cause, cb.s.cause},
      {"stval", ca.s.tval, cb.s.tval},
      {"satp", ca.s.atp, cb.s.atp},
      {"V (virtualization mode)", a.virt(), b.virt()},
      {"mstatush", ca.mstatush, cb.mstatush},
      {"mtval2", ca.mtval2, cb.mtval2},
      {"mtinst", ca.mtinst, cb.mtinst},
      {"hstatus", ca.hstatus, cb.hstatus},
      {"hedeleg", ca.hedeleg, cb.hedeleg},
      {"hideleg", ca.hideleg, cb.hideleg},
      {"hvip", ca.hvip, cb.hvip},
      {"hcounteren", ca.hcounteren, cb.hcounteren},
      {"htval", ca.htval, cb.htval},
      {"htinst", ca.htinst, cb.htinst},
      {"hgatp", ca.hgatp, cb.hgatp},
      {"htimedelta", ca.htimedelta, cb.htimedelta},
      {"vsstatus", ca.vsstatus, cb.vsstatus},
      {"vstvec", ca.vs.tvec, cb.vs.tvec},
      {"vsscratch", ca.vs.scratch, cb.vs.scratch},
      {"vsepc", ca.vs.epc, cb.vs.epc},
      {"vscause", ca.vs.cause, cb.vs.cause},
      {"vstval", ca.vs.tval, cb.vs.tval},
      {"vsatp", ca.vs.atp, cb.vs.atp},
      {"exit code", static_cast<uint64_t>(a.exit_code), static_cast<uint64_t>(b.exit_code)},
  };
  for (const auto& f : fields)
    if (d.empty() && f.x != f.y) d = differ(f.name, f.x, f.y);
  if (d.empty() && translated_.monitor())
    d = differ("guest instret (monitor)", translated_.monitor()->guest_instret(), reference_.monitor()->guest_instret());
  if (d.empty()) {
    // Output so far: one may be ahead only in what the other has not had the chance to write.
    const size_t n = std::min(output_[0].size(), output_[1].size());
    if (output_[0].compare(0, n, output_[1], 0, n) != 0)
      d = "output differs: translator wrote \"" + output_[0].substr(0, 200) + "\", interpreter \"" +
          output_[1].substr(0, 200) + "\"" + where();
    else if (output_[0].size() != output_[1].size())
      d = "output length differs: translator " + std::to_string(output_[0].size()) + " bytes, interpreter " +
          std::to_string(output_[1].size()) + where();
    output_[0].erase(0, n);
    output_[1].erase(0, n);
  }
  if (d.empty() && with_memory) {
    ++memory_comparisons_;
    Bus &ma = translated_.bus(), &mb = reference_.bus();
    const uint8_t* pa = ma.ram_pointer(ma.ram_base(), ma.ram_size());
    const uint8_t* pb = mb.ram_pointer(mb.ram_base(), mb.ram_size());
    if (std::memcmp(pa, pb, ma.ram_size()) != 0) {
      uint32_t i = 0;
      while (pa[i] == pb[i]) ++i;
      d = "memory differs at physical " + hex(ma.ram_base() + i) + ": translator " + hex(pa[i]) + ", interpreter " +
          hex(pb[i]) + where();
    }
  }
  return d;
}

}  // namespace vmscope
