// Scripted debugging: drives a DebuggerApp with the same actions a person takes (keys go through
// Dear ImGui's input like real ones), one command per frame, and checks expectations. Used by
// the native debugger's --script mode and its tests.
//
// Commands, one per line ('#' starts a comment):
//   load NAME                 open a bundled program
//   scenario NAME             start a classroom scenario (scenarios.h)
//   key F5|shift+F5|F9|F10|F11   press a key for one frame
//   cursor ADDRESS|SYMBOL     put the disassembly cursor there (F9 and "run to" use it)
//   break ADDRESS|SYMBOL      toggle a breakpoint
//   run-to ADDRESS|SYMBOL     run until that pc
//   type TEXT                 console input (a newline is added)
//   virt emulation|trap-and-emulate|binary-translation   how a kernel on SBI runs (restarts it)
//   shadow sfence|write-protect       the monitor's shadow strategy
//   quirk NAME [off]          status-read, status-write, sret-jump
//   engine translate|interp   how guest code runs (applies at once, mid-run too)
//   misaligned emulate|trap   misaligned loads and stores (the Machine menu; restarts the program)
//   translator chaining on|off | cache-kib N | evict fifo|lru|flush | backend native|wasm|threaded | hot N | flush
//   code-cache open|close     the Code cache window
//   code-cache select hottest|ADDRESS   select a live block (the most executed, or by physical address)
//   analyzer FILE             open the analyzer on a shipped description (isa-specs/pdp10.toml)
//   analyzer-set NAME=VALUE   one of its settings
//   analyzer-select NAME      its instruction table filtered to NAME, whose facts are explained
//   analyzer-tab TAB          Instructions, Facts, Description or Oracle
//   analyzer-find TEXT        the description editor's find: the next TEXT, selected
//   analyzer-trap MODE on|off the fact editor: the selected instruction traps in MODE, or not
//   analyzer-run-quirk        the fact editor's "Run the guest kernel with it" (its quirk)
//   analyzer-edit OLD => NEW  change its text ("\n" for a newline)
//   wait-stopped [FRAMES]     wait until the machine stops (default: at most 600 frames)
//   frames N                  let N frames pass
//   expect pc == ADDRESS|SYMBOL
//   expect reg NAME == VALUE  (NAME: x0..x31 or an ABI name; VALUE decimal or 0x...)
//   expect running | expect stopped | expect finished
//   expect console contains TEXT
//   expect status contains TEXT
//   expect instret >= N
//   expect monitor exits|hidden-faults|page-table-writes|hypercalls|shadow-entries >= N
//   expect comparison N          the Compare panel has N runs, all ended, all printing the same
//   migrate cold|live         move a copy of the VM from here to a second machine (the Migration panel)
//   expect migration unnoticed   it moved, and ended exactly as a copy that never moved
//   gdb-listen PORT           let gdb attach to the session on 127.0.0.1:PORT (File > Debug with gdb)
//   wait-gdb off|listening|attached|running [FRAMES]   wait until the gdb link is so (default 1200 frames)
//   expect gdb off|listening|attached|running
//   balloon-device on|off     give the board a virtio-balloon, or take it away (restarts a kernel)
//   balloon PAGES             the host asks the guest's balloon for PAGES pages (the Balloon panel)
//   expect balloon PAGES      the balloon holds PAGES pages, and the host reclaimed exactly those
//   mmu-translate ADDRESS MODE STEP   the MMU panel translates ADDRESS as MODE (0 the hart's, 1 U,
//                                2 S, 3 VU, 4 VS), a two-dimensional walk shown up to STEP
//   expect illusion kept|broken
//   expect engine translator|interpreter
//   expect translator blocks|translated|retranslated|invalidated|evicted|flushes|links|entries|chained >=|<=|== N
//   expect code-cache selected   (the window is open and shows a live block)
//   expect theorem 1|2|3|guest holds|fails   (the analyzer's verdict; guest: the guest-mode condition)
//   expect analyzer-line N    the description editor's cursor is on line N
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "app.h"

namespace vmscope::ui {

class Script {
 public:
  explicit Script(const std::string& text);
  // Does the next command (or keeps waiting); call once per frame before ImGui::NewFrame().
  void step(DebuggerApp& app, std::ostream& log);
  bool done() const { return next_ >= lines_.size() && !releasing_; }
  int failures() const { return failures_; }

 private:
  std::optional<uint32_t> address_of(const DebuggerApp& app, const std::string& text) const;
  void expect(DebuggerApp& app, const std::vector<std::string>& words, const std::string& line, std::ostream& log);

  std::vector<std::string> lines_;
  size_t next_ = 0;
  int failures_ = 0;
  int wait_frames_ = 0;
  bool waiting_stop_ = false;
  int waiting_gdb_ = -1;  // wait-gdb: the GdbLink::State awaited
  int releasing_ = 0;  // a key pressed last frame, to release now (0 = none)
  bool release_shift_ = false;
};

}  // namespace vmscope::ui
