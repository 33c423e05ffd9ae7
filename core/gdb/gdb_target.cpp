// The gdb stub's packets on a machine (gdb_target.h).
#include "gdb/gdb_target.h"

#include <algorithm>
#include <cstdio>

#include "gdb/rsp.h"
#include "isa/isa_table.h"
#include "mem/sv32.h"
#include "vmm/monitor.h"

namespace vmscope::gdb {

namespace {

constexpr const char* kXregNames[32] = {"zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "fp", "s1", "a0",
                                        "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
                                        "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

// The signal a stop reports: SIGTRAP for everything a debugger caused.
constexpr const char* kTrap = "05";

std::string hex_text(std::string_view text) { return to_hex(reinterpret_cast<const uint8_t*>(text.data()), text.size()); }

std::string hex32(uint32_t v) {
  char s[12];
  std::snprintf(s, sizeof s, "%x", v);
  return s;
}

// "addr,length" (hex): the arguments of m, M, X and of Z (type first).
bool parse_pair(std::string_view text, uint64_t& a, uint64_t& b) {
  const size_t comma = text.find(',');
  if (comma == std::string_view::npos) return false;
  const auto x = parse_hex(text.substr(0, comma)), y = parse_hex(text.substr(comma + 1));
  if (!x || !y) return false;
  a = *x;
  b = *y;
  return true;
}

}  // namespace

Target::Target(Machine& machine, TimeMachine& time) : m_(machine), time_(time) { xml_ = target_xml(); }

Target::~Target() = default;  // (the machine may be gone already: a detach forgets the breakpoints)

void Target::forget_breakpoints() {
  breakpoints_.clear();
  hardware_breakpoints_.clear();
  watchpoints_.clear();
  apply_breakpoints();
}

void Target::on_attach() {
  no_ack_ = false;  // a new connection starts acknowledging
  if (!finished_) last_stop_ = "T05";
}

void Target::apply_breakpoints() {
  std::vector<Hart::HardwareStop> hardware;
  for (const uint32_t a : hardware_breakpoints_) hardware.push_back({true, a, 1, false, false});
  std::vector<Hart::Watchpoint> software_watches;
  for (const Hart::Watchpoint& w : watchpoints_) {
    const uint32_t size = w.end - w.begin;
    if (size && !(size & (size - 1)) && !(w.begin & (size - 1)))
      hardware.push_back({false, w.begin, size, w.on_read, w.on_write});
    else
      software_watches.push_back(w);
  }
  const size_t placed = m_.hart().set_hardware_stops(hardware);
  std::vector<uint32_t> software_breaks = breakpoints_;
  for (size_t i = placed; i < hardware.size(); ++i) {
    const Hart::HardwareStop& s = hardware[i];
    if (s.execute) software_breaks.push_back(s.address);
    else software_watches.push_back({s.address, s.address + s.size, s.on_read, s.on_write});
  }
  m_.hart().set_breakpoints(software_breaks);
  m_.hart().set_watchpoints(software_watches);
}

// ---- registers: x0..x31 and pc in `g`; CSRs and priv one at a time (`p`), as gdb asks for them.

std::string Target::read_registers() const {
  std::string out;
  for (unsigned i = 0; i <= kPcRegnum; ++i) out += hex_le32(*read_register(i));
  return out;
}

bool Target::write_registers(std::string_view hex) {
  const auto bytes = from_hex(hex);
  if (!bytes || bytes->size() < 4 * (kPcRegnum + 1)) return false;
  for (unsigned i = 0; i <= kPcRegnum; ++i) {
    const uint8_t* b = bytes->data() + 4 * i;
    write_register(i, b[0] | b[1] << 8 | b[2] << 16 | static_cast<uint32_t>(b[3]) << 24);
  }
  return true;
}

// Under a monitor gdb debugs the guest kernel: its general registers and pc are the hart's, its
// CSRs and mode the guest's own (Monitor::guest_csr), never the host's.
std::optional<uint32_t> Target::read_register(unsigned regnum) const {
  const Hart& h = m_.hart();
  const Monitor* mon = m_.monitor();
  if (regnum < 32) return h.reg(regnum);
  if (regnum == kPcRegnum) return h.pc();
  if (regnum == kPrivRegnum) return static_cast<uint32_t>(mon ? mon->guest_mode() : h.priv());
  if (regnum >= kFirstCsrRegnum && regnum < kFirstCsrRegnum + 4096) {
    uint32_t v = 0;
    const auto n = static_cast<uint16_t>(regnum - kFirstCsrRegnum);
    if (mon ? mon->guest_csr(n, v) : h.debug_read_csr(n, v)) return v;
  }
  return std::nullopt;
}

bool Target::write_register(unsigned regnum, uint32_t value) {
  Hart& h = m_.hart();
  if (regnum < 32) {
    h.set_reg(regnum, value);
    return true;
  }
  if (regnum == kPcRegnum) {
    h.set_pc(value);
    return true;
  }
  // (The guest's CSRs under a monitor are read-only here: the monitor keeps its shadows in step
  // with them only when the guest writes them itself. priv is read-only everywhere.)
  if (regnum >= kFirstCsrRegnum && regnum < kFirstCsrRegnum + 4096 && !m_.monitor())
    return h.debug_write_csr(static_cast<uint16_t>(regnum - kFirstCsrRegnum), value);
  return false;
}

// The description gdb reads (qXfer:features:read:target.xml): the general registers and pc, every
// CSR this hart has (gdb's names, regnum 65 + number) and priv.
std::string Target::target_xml() const {
  std::string x = "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
                  "<architecture>riscv:rv32</architecture>\n<feature name=\"org.gnu.gdb.riscv.cpu\">\n";
  for (unsigned i = 0; i < 32; ++i)
    x += std::string("<reg name=\"") + kXregNames[i] + "\" bitsize=\"32\" regnum=\"" + std::to_string(i) + "\" type=\"" +
         (i == 1 ? "code_ptr" : i == 2 || i == 8 ? "data_ptr" : "int") + "\"/>\n";
  x += "<reg name=\"pc\" bitsize=\"32\" regnum=\"32\" type=\"code_ptr\"/>\n</feature>\n<feature name=\"org.gnu.gdb.riscv.csr\">\n";
  for (unsigned n = 0; n < 4096; ++n) {
    const char* name = isa::csr_name(static_cast<uint16_t>(n));
    if (!name || !read_register(kFirstCsrRegnum + n)) continue;
    x += std::string("<reg name=\"") + name + "\" bitsize=\"32\" regnum=\"" + std::to_string(kFirstCsrRegnum + n) +
         "\" group=\"csr\"/>\n";
  }
  x += "</feature>\n<feature name=\"org.gnu.gdb.riscv.virtual\">\n<reg name=\"priv\" bitsize=\"32\" regnum=\"" +
       std::to_string(kPrivRegnum) + "\" group=\"general\"/>\n</feature>\n</target>\n";
  return x;
}

// ---- memory: virtual addresses as the hart translates them now (its privilege, its satp), or
// physical ones after `monitor phys on` / Qqemu.PhyMemMode:1.

std::optional<uint32_t> Target::translate(uint32_t address, bool write) const {
  if (const Monitor* mon = m_.monitor()) {  // the guest's addresses: its page tables, its physical map
    uint32_t hpa = 0;
    if (physical_) return mon->guest_memory().to_host(address, hpa) ? std::optional<uint32_t>((hpa & ~0xfffu) | (address & 0xfff)) : std::nullopt;
    const Hart::Translation t = mon->guest_translate(address, write ? AccessType::store : AccessType::load);
    return t.ok ? std::optional<uint32_t>(t.paddr) : std::nullopt;
  }
  if (physical_) return address;
  const Hart& h = m_.hart();
  const AccessType type = write ? AccessType::store : AccessType::load;
  Hart::Translation t = h.debug_translate(address, type, h.priv());
  // A debugger reads what is mapped: a supervisor page seen from U-mode too (as in S-mode).
  if (!t.ok && h.priv() == Priv::U) t = h.debug_translate(address, type, Priv::S);
  if (!t.ok) return std::nullopt;
  return t.paddr;
}

std::string Target::read_memory(uint64_t address, uint64_t length) const {
  std::string out;
  const Bus& bus = m_.bus();
  for (uint64_t i = 0; i < length; ++i) {
    const auto pa = translate(static_cast<uint32_t>(address + i), false);
    uint64_t byte = 0;
    if (address + i > 0xffffffffull || !pa || !bus.peek(*pa, 1, byte)) return i ? out : "E14";  // (EFAULT)
    const auto b = static_cast<uint8_t>(byte);
    out += to_hex(&b, 1);
  }
  return out;
}

bool Target::write_memory(uint64_t address, const std::vector<uint8_t>& bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto pa = translate(static_cast<uint32_t>(address + i), true);
    if (address + i > 0xffffffffull || !pa || !m_.bus().write_bytes(*pa, std::span(&bytes[i], 1))) return false;
  }
  return true;
}

// ---- monitor commands (qRcmd): what QEMU's monitor would say, for vmscope's machine.

std::string Target::monitor_command(const std::string& command) {
  if (command == "help" || command.empty()) {
    return "vmscope monitor commands:\n"
           "  info registers   the general registers, pc, the privilege and the main CSRs\n"
           "  info mem         the current Sv32 mappings (satp's address space), merged into ranges\n"
           "  info tlb         the hart's TLB entries\n"
           "  info shadow      the monitor's shadow tables (trap-and-emulate) or its G-stage (hardware-assisted)\n"
           "  info triggers    the hart's debug triggers (Sdtrig): the guest's, gdb's (hbreak, watch), free ones\n"
           "  phys on|off      memory accesses by physical (on) or virtual (off, the default) address\n"
           "  help             this list\n";
  }
  if (command == "phys on" || command == "phys off") {
    physical_ = command == "phys on";
    return std::string("memory accesses are now by ") + (physical_ ? "physical" : "virtual") + " address\n";
  }
  if (command == "info registers") return info_registers();
  if (command == "info mem") return info_mem();
  if (command == "info tlb") return info_tlb();
  if (command == "info shadow") return info_shadow();
  if (command == "info triggers") {
    std::string out;
    const Triggers& t = m_.hart().triggers();
    for (unsigned i = 0; i < Triggers::kCount; ++i) out += "trigger " + std::to_string(i) + ": " + t.describe(i) + "\n";
    return out;
  }
  return "unknown monitor command '" + command + "' (try: monitor help)\n";
}

std::string Target::info_registers() const {
  const Hart& h = m_.hart();
  std::string out;
  char line[160];
  for (unsigned i = 0; i < 32; ++i) {
    std::snprintf(line, sizeof line, "%-4s 0x%08x%s", kXregNames[i], h.reg(i), i % 4 == 3 ? "\n" : "   ");
    out += line;
  }
  if (const Monitor* mon = m_.monitor())
    std::snprintf(line, sizeof line, "pc   0x%08x   the guest's mode %s (the hart runs it in %s%s)\n", h.pc(),
                  to_string(mon->guest_mode()), to_string(h.priv()), h.virt() ? ", V=1" : "");
  else
    std::snprintf(line, sizeof line, "pc   0x%08x   priv %s\n", h.pc(), to_string(h.priv()));
  out += line;
  for (const uint16_t n : {0x300, 0x304, 0x305, 0x341, 0x342, 0x343, 0x344, 0x100, 0x104, 0x105, 0x141, 0x142, 0x143, 0x144, 0x180}) {
    const std::optional<uint32_t> v = read_register(kFirstCsrRegnum + n);
    if (!v) continue;
    std::snprintf(line, sizeof line, "%-9s 0x%08x\n", isa::csr_name(n), *v);
    out += line;
  }
  return out;
}

// The Sv32 mappings of satp's address space (the guest's own, under a monitor): leaves in
// address order, runs of contiguous pages with the same flags merged.
std::string Target::info_mem() const {
  const uint32_t satp = read_register(kFirstCsrRegnum + 0x180).value_or(0);
  if (!(satp >> 31)) return "paging is off (satp.MODE = Bare): virtual = physical\n";
  const auto pte_at = [this](uint32_t address, uint64_t& pte) {  // (guest-physical under a monitor)
    if (const Monitor* mon = m_.monitor()) {
      uint32_t v = 0;
      if (!mon->guest_memory().read_pte(address, v)) return false;
      pte = v;
      return true;
    }
    return m_.bus().peek(address, 4, pte);
  };
  char line[160];
  const uint32_t root = (satp & 0x3fffff) << 12;
  std::snprintf(line, sizeof line, "satp 0x%08x: Sv32, ASID %u, root table at 0x%08x\n", satp, (satp >> 22) & 0x1ff, root);
  std::string out = std::string(line) + "virtual                 physical    size      flags\n";
  struct Run {
    uint32_t va, pa, size, flags;
  };
  std::optional<Run> run;
  unsigned ranges = 0;
  constexpr unsigned kMostRanges = 200;
  const auto flush = [&] {
    if (run && ranges++ < kMostRanges) {
      std::snprintf(line, sizeof line, "%08x-%08x  %08x  %8x  %s\n", run->va, run->va + run->size - 1, run->pa, run->size,
                    pte_flag_letters(run->flags).c_str());
      out += line;
    }
    run.reset();
  };
  const auto leaf = [&](uint32_t va, uint32_t pa, uint32_t size, uint32_t flags) {
    if (run && run->va + run->size == va && run->pa + run->size == pa && run->flags == flags) {
      run->size += size;
      return;
    }
    flush();
    run = Run{va, pa, size, flags};
  };
  for (uint32_t i = 0; i < 1024; ++i) {
    uint64_t l1 = 0;
    if (!pte_at(root + i * 4, l1) || !(l1 & 1)) continue;
    if (l1 & 0xe) {
      leaf(i << 22, static_cast<uint32_t>(l1 >> 10 << 12), 0x400000, static_cast<uint32_t>(l1 & 0xff));
      continue;
    }
    const auto table = static_cast<uint32_t>(l1 >> 10 << 12);
    for (uint32_t j = 0; j < 1024; ++j) {
      uint64_t l0 = 0;
      if (pte_at(table + j * 4, l0) && (l0 & 1) && (l0 & 0xe))
        leaf(i << 22 | j << 12, static_cast<uint32_t>(l0 >> 10 << 12), 0x1000, static_cast<uint32_t>(l0 & 0xff));
    }
  }
  flush();
  if (ranges > kMostRanges) out += "(" + std::to_string(ranges - kMostRanges) + " more ranges)\n";
  return out;
}

std::string Target::info_tlb() const {
  std::string out = "virtual     physical    size   ASID  flags\n";
  char line[160];
  for (const TlbEntry& e : m_.hart().tlb().entries()) {
    if (!e.valid) continue;
    std::snprintf(line, sizeof line, "%08x    %08x    %-6s %-5u %s%s\n", e.vpn << 12, e.ppn << 12, e.superpage ? "4M" : "4K",
                  e.asid, pte_flag_letters(e.pte_flags).c_str(), e.virt ? " (guest, both stages)" : "");
    out += line;
  }
  return out;
}

// The monitor's own translation of guest memory: its shadow tables, or its G-stage.
std::string Target::info_shadow() const {
  const Monitor* mon = m_.monitor();
  if (!mon) return "no monitor: the kernel runs by emulation (no shadow tables, no G-stage)\n";
  std::string out;
  char line[160];
  if (mon->hardware_assisted) {
    std::snprintf(line, sizeof line, "G-stage root at host-physical 0x%08x (hgatp), %u regions backed\n", mon->g_stage_root(),
                  mon->g_stage_regions());
    out = std::string(line) + "guest-physical          host-physical  flags\n";
    for (uint32_t i = 0; i < 4096; ++i) {  // (Sv32x4: a 16 KiB root)
      uint64_t root = 0;
      if (!m_.bus().peek(mon->g_stage_root() + i * 4, 4, root) || !(root & 1)) continue;
      const auto base = static_cast<unsigned long long>(i) << 22;  // (guest-physical addresses have 34 bits)
      if (root & 0xe) {
        std::snprintf(line, sizeof line, "%09llx-%09llx     %08x  %s (4 MiB)\n", base, base + 0x3fffff,
                      static_cast<uint32_t>(root >> 10 << 12), pte_flag_letters(static_cast<uint32_t>(root)).c_str());
        out += line;
        continue;
      }
      unsigned mapped = 0;
      for (uint32_t j = 0; j < 1024; ++j) {
        uint64_t pte = 0;
        mapped += m_.bus().peek(static_cast<uint32_t>(root >> 10 << 12) + j * 4, 4, pte) && (pte & 1);
      }
      std::snprintf(line, sizeof line, "%09llx-%09llx     4 KiB entries: %u of 1024 mapped\n", base, base + 0x3fffff, mapped);
      out += line;
    }
    return out;
  }
  const ShadowMmu& sh = mon->shadow();
  for (int t = 0; t < static_cast<int>(ShadowMmu::kMaxTables); ++t) {
    if (!sh.tables()[t].live) continue;
    const std::vector<ShadowMapping> maps = sh.mappings(t);
    std::snprintf(line, sizeof line, "shadow table %d%s: host ASID %u, %zu entries\n", t,
                  t == sh.current_table() ? " (current)" : "", sh.tables()[t].host_asid, maps.size());
    out += line;
    constexpr size_t kMostShown = 32;
    for (size_t k = 0; k < maps.size() && k < kMostShown; ++k) {
      const ShadowMapping& m = maps[k];
      std::snprintf(line, sizeof line, "  gva %08x -> gpa %08x -> hpa %08x  %s%s\n", m.gva, m.gpa, m.hpa,
                    pte_flag_letters(m.shadow_pte).c_str(), m.write_protected ? " (write-protected page table)" : "");
      out += line;
    }
    if (maps.size() > kMostShown) out += "  ...\n";
  }
  return out.empty() ? "no shadow tables yet\n" : out;
}

// ---- running

std::string Target::signal_stop(const std::string& extra) const { return std::string("T") + kTrap + extra; }

std::string Target::stop_after_run(const RunResult& r) {
  const Hart& h = m_.hart();
  switch (r.reason) {
    case StopReason::exited: {
      finished_ = true;
      char w[8];
      std::snprintf(w, sizeof w, "W%02x", static_cast<unsigned>(h.exit_code) & 0xff);
      return last_stop_ = w;
    }
    case StopReason::breakpoint:
      if (h.stop_message.rfind("watchpoint", 0) == 0 || h.stop_message.rfind("hardware watchpoint", 0) == 0) {
        const Hart::WatchHit hit = h.last_watch_hit();
        // gdb for RISC-V expects a watchpoint to stop *before* the access (its triggers do;
        // gdbarch have_nonsteppable_watchpoint): it then steps over the instruction itself. The
        // hart stops after it, so the stub goes back one step.
        time_.step_back(1);
        const char* kind = hit.write ? "watch" : "rwatch";
        for (const Hart::Watchpoint& w : watchpoints_)
          if (hit.vaddr < w.end && hit.vaddr >= w.begin && w.on_read && w.on_write) kind = "awatch";
        uint32_t reported = hit.vaddr;
        for (const Hart::Watchpoint& w : watchpoints_)  // gdb matches the address it asked to watch
          if (hit.vaddr < w.end && hit.vaddr + 4 > w.begin) reported = std::max(w.begin, hit.vaddr);
        return last_stop_ = signal_stop(std::string(kind) + ":" + hex32(reported) + ";");
      }
      if (h.stop_message.rfind("hardware breakpoint", 0) == 0) return last_stop_ = signal_stop("hwbreak:;");
      return last_stop_ = signal_stop("swbreak:;");
    case StopReason::budget: return last_stop_ = signal_stop();  // a single step
    default:
      // The machine stopped for good (a fault nobody handles, a loop of traps...): gdb sees the
      // program stopped by SIGTRAP, and the message on its console.
      finished_ = r.reason != StopReason::idle;
      return last_stop_ = signal_stop();
  }
}

std::optional<std::string> Target::run(uint64_t steps) {
  apply_breakpoints();
  const RunResult r = time_.run(steps);
  if (r.reason == StopReason::budget || r.reason == StopReason::idle) return std::nullopt;
  return stop_after_run(r);
}

std::string Target::step() {
  apply_breakpoints();
  const RunResult r = time_.run(1);
  if (r.reason == StopReason::budget) return last_stop_ = signal_stop();
  return stop_after_run(r);  // it exited, hit a watchpoint, or the machine stopped for good
}

std::string Target::reverse_step() {
  if (time_.position() == 0 || !time_.step_back(1)) return last_stop_ = signal_stop("replaylog:begin;");
  return last_stop_ = signal_stop();
}

std::string Target::reverse_continue() {
  apply_breakpoints();
  if (time_.reverse_continue()) return last_stop_ = signal_stop("swbreak:;");
  time_.travel_to(0);  // no hit before here: the start of the recorded history
  return last_stop_ = signal_stop("replaylog:begin;");
}

std::string Target::interrupted() { return last_stop_ = "T02"; }  // SIGINT

// ---- packets

Action Target::handle(std::string_view p) {
  Action a;
  const auto reply = [&a](std::string s) {
    a.reply = std::move(s);
    return a;
  };
  if (p.empty()) return reply("");
  uint64_t addr = 0, len = 0;
  switch (p[0]) {
    case '?': return reply(last_stop_);
    case 'g': return reply(read_registers());
    case 'G': return reply(write_registers(p.substr(1)) ? "OK" : "E01");
    case 'p': {
      const auto n = parse_hex(p.substr(1));
      const auto v = n && *n < 0x10000 ? read_register(static_cast<unsigned>(*n)) : std::nullopt;
      return reply(v ? hex_le32(*v) : "E01");
    }
    case 'P': {
      const size_t eq = p.find('=');
      const auto n = eq == std::string_view::npos ? std::nullopt : parse_hex(p.substr(1, eq - 1));
      const auto b = eq == std::string_view::npos ? std::nullopt : from_hex(p.substr(eq + 1));
      if (!n || !b || b->size() != 4) return reply("E01");
      const uint32_t v = (*b)[0] | (*b)[1] << 8 | (*b)[2] << 16 | static_cast<uint32_t>((*b)[3]) << 24;
      return reply(*n < 0x10000 && write_register(static_cast<unsigned>(*n), v) ? "OK" : "E01");
    }
    case 'm':
      if (!parse_pair(p.substr(1), addr, len) || len > 0x10000) return reply("E01");
      return reply(read_memory(addr, len));
    case 'M':
    case 'X': {
      const size_t colon = p.find(':');
      if (colon == std::string_view::npos || !parse_pair(p.substr(1, colon - 1), addr, len)) return reply("E01");
      std::vector<uint8_t> bytes;
      if (p[0] == 'M') {
        const auto b = from_hex(p.substr(colon + 1));
        if (!b) return reply("E01");
        bytes = *b;
      } else {
        bytes.assign(p.begin() + static_cast<std::ptrdiff_t>(colon) + 1, p.end());
      }
      if (bytes.size() != len) return reply("E01");
      return reply(write_memory(addr, bytes) ? "OK" : "E14");
    }
    case 'Z':
    case 'z': {
      const size_t c1 = p.find(',');
      const size_t c2 = c1 == std::string_view::npos ? c1 : p.find(',', c1 + 1);
      if (c1 != 2 || c2 == std::string_view::npos) return reply("E01");
      const auto at = parse_hex(p.substr(c1 + 1, c2 - c1 - 1));
      const auto kind = parse_hex(p.substr(c2 + 1, p.find(';', c2) - c2 - 1));
      if (!at || !kind || *at > 0xffffffffull) return reply("E01");
      const auto address = static_cast<uint32_t>(*at);
      const bool add = p[0] == 'Z';
      if (p[1] == '0' || p[1] == '1') {
        std::vector<uint32_t>& list = p[1] == '0' ? breakpoints_ : hardware_breakpoints_;
        auto it = std::find(list.begin(), list.end(), address);
        if (add && it == list.end()) list.push_back(address);
        if (!add && it != list.end()) list.erase(it);
      } else if (p[1] >= '2' && p[1] <= '4') {
        const Hart::Watchpoint w{address, address + static_cast<uint32_t>(std::max<uint64_t>(*kind, 1)), p[1] != '2', p[1] != '3'};
        auto it = std::find_if(watchpoints_.begin(), watchpoints_.end(), [&](const Hart::Watchpoint& x) {
          return x.begin == w.begin && x.end == w.end && x.on_read == w.on_read && x.on_write == w.on_write;
        });
        if (add && it == watchpoints_.end()) watchpoints_.push_back(w);
        if (!add && it != watchpoints_.end()) watchpoints_.erase(it);
      } else {
        return reply("");
      }
      apply_breakpoints();
      return reply("OK");
    }
    case 'c': a.resume = Action::Resume::forward; return a;
    case 's': a.resume = Action::Resume::step; return a;
    case 'b':
      if (p == "bc") a.resume = Action::Resume::reverse_continue;
      else if (p == "bs") a.resume = Action::Resume::reverse_step;
      else return reply("");
      return a;
    case 'D':
      forget_breakpoints();
      a.detach = true;
      return reply("OK");
    case 'k': a.kill = true; return a;
    case 'H': return reply("OK");
    case 'T': return reply("OK");
    case 'v':
      if (p == "vCont?") return reply("vCont;c;C;s;S");
      if (p.rfind("vCont;", 0) == 0) {  // one thread: the first action decides
        const char action = p.size() > 6 ? p[6] : 'c';
        if (action == 's' || action == 'S') a.resume = Action::Resume::step;
        else if (action == 'c' || action == 'C') a.resume = Action::Resume::forward;
        else return reply("E01");
        return a;
      }
      if (p == "vKill;1" || p.rfind("vKill", 0) == 0) {
        a.kill = true;
        return reply("OK");
      }
      return reply("");
    case 'Q':
      if (p == "QStartNoAckMode") {
        no_ack_ = true;
        return reply("OK");
      }
      if (p == "Qqemu.PhyMemMode:1" || p == "Qqemu.PhyMemMode:0") {
        physical_ = p.back() == '1';
        return reply("OK");
      }
      return reply("");
    case 'q': {
      if (p.rfind("qSupported", 0) == 0)
        return reply("PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;ReverseStep+;"
                     "ReverseContinue+;vContSupported+;qemu.PhyMemMode+");
      if (p.rfind("qXfer:features:read:target.xml:", 0) == 0) {
        if (!parse_pair(p.substr(31), addr, len)) return reply("E01");
        if (addr >= xml_.size()) return reply("l");
        const std::string part = xml_.substr(addr, len);
        return reply((addr + part.size() >= xml_.size() ? "l" : "m") + part);
      }
      if (p.rfind("qXfer:", 0) == 0) return reply("");
      if (p == "qAttached") return reply("1");
      if (p == "qC") return reply("QC1");
      if (p == "qfThreadInfo") return reply("m1");
      if (p == "qsThreadInfo") return reply("l");
      if (p == "qOffsets") return reply("Text=0;Data=0;Bss=0");
      if (p.rfind("qSymbol", 0) == 0) return reply("OK");
      if (p.rfind("qRcmd,", 0) == 0) {
        const auto text = from_hex(p.substr(6));
        if (!text) return reply("E01");
        const std::string out = monitor_command(std::string(text->begin(), text->end()));
        return reply(hex_text(out));
      }
      return reply("");
    }
    default: return reply("");
  }
}

}  // namespace vmscope::gdb
