// What a gdb remote stub does with each packet (the GDB manual's "Remote Protocol": packets,
// stop replies, target descriptions, monitor commands), on a machine run through a time machine
// so that gdb's reverse execution (bs, bc) is travel back. No sockets here: a transport (the
// command line's TCP server, the browser's bridge) hands packets in, sends replies out, and
// runs the machine in slices while gdb waits, looking for its interrupt between slices.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "machine/machine.h"
#include "timetravel/time_machine.h"

namespace vmscope::gdb {

// gdb's RISC-V register numbers (gdb/riscv-tdep.h): x0..x31, pc, then the CSRs at 65 + number
// and the `priv` pseudo-register after them.
inline constexpr unsigned kPcRegnum = 32, kFirstCsrRegnum = 65, kPrivRegnum = kFirstCsrRegnum + 4096;

// What the transport does after a packet.
struct Action {
  std::optional<std::string> reply;  // a packet to send now (an empty string: "not supported")
  enum class Resume : uint8_t { none, forward, step, reverse_continue, reverse_step } resume = Resume::none;
  bool detach = false;  // the guest runs on; gdb may come back
  bool kill = false;    // the run ends
};

class Target {
 public:
  Target(Machine& machine, TimeMachine& time);
  ~Target();

  Action handle(std::string_view packet);
  bool no_ack() const { return no_ack_; }

  // Resuming: forward runs `steps` at most and returns the stop reply once the guest stops
  // (nullopt: it is still running); the others act at once.
  std::optional<std::string> run(uint64_t steps);
  std::string step();
  std::string reverse_step();
  std::string reverse_continue();
  std::string interrupted();  // gdb's Ctrl-C while running
  std::string stop_reply() const { return last_stop_; }
  bool finished() const { return finished_; }  // the guest exited (W sent): nothing more to run

  // Detaching: no breakpoints or watchpoints left; the guest runs on.
  void forget_breakpoints();
  // A gdb attaches (again): the guest stands where it is, stopped (or it has ended).
  void on_attach();

 private:
  std::string read_registers() const;
  bool write_registers(std::string_view hex);
  std::optional<uint32_t> read_register(unsigned regnum) const;
  bool write_register(unsigned regnum, uint32_t value);
  std::optional<uint32_t> translate(uint32_t address, bool write) const;
  std::string read_memory(uint64_t address, uint64_t length) const;
  bool write_memory(uint64_t address, const std::vector<uint8_t>& bytes);
  std::string target_xml() const;
  std::string monitor_command(const std::string& command);
  std::string info_registers() const;
  std::string info_mem() const;
  std::string info_tlb() const;
  std::string info_shadow() const;
  std::string stop_after_run(const RunResult& r);
  void apply_breakpoints();
  std::string signal_stop(const std::string& extra = "") const;

  Machine& m_;
  TimeMachine& time_;
  bool no_ack_ = false, physical_ = false, finished_ = false;
  // gdb's breakpoints (Z0), hardware breakpoints (Z1) and watchpoints (Z2-Z4). Z1 and the
  // watchpoints whose range a trigger can hold (a power of two, aligned) take the hart's free debug
  // triggers; the rest the hart's own (software) breakpoints and watchpoints, which never run out.
  std::vector<uint32_t> breakpoints_, hardware_breakpoints_;
  std::vector<Hart::Watchpoint> watchpoints_;
  std::string last_stop_ = "S05";
  std::string xml_;
};

}  // namespace vmscope::gdb
