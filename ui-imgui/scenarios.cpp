// The classroom scenarios (see scenarios.h).
#include "scenarios.h"

namespace vmscope::ui {

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> list = [] {
    VmSettings trap_and_emulate;
    trap_and_emulate.virtualization = Virtualization::trap_and_emulate;
    VmSettings write_protect = trap_and_emulate;
    write_protect.invalidation = ShadowInvalidation::write_protect;
    VmSettings broken = trap_and_emulate;
    broken.quirks.status_read = true;
    return std::vector<Scenario>{
        {"trap-and-emulate", "Trap-and-emulate: a kernel deprivileged",
         "The teaching kernel runs in U-mode under vmscope's monitor. Press F5, then watch the Monitor: "
         "every CSR access, SRET and SFENCE.VMA is an exit the monitor emulates; the vCPU tab shows what "
         "the kernel believes, next to the real hart.",
         "kernel", trap_and_emulate, ""},
        {"shadow-paging", "Shadow paging, write-protected",
         "The same kernel, with the guest's page-table pages write-protected: each PTE the kernel writes "
         "traps and is emulated. Compare the guest page table and the shadow table side by side (Page "
         "tables tab), then switch to SFENCE.VMA and compare the exit counts.",
         "kernel", write_protect, ""},
        {"critical-instruction", "A critical instruction breaks the illusion",
         "The hart's status-read quirk lets U-mode read sstatus without trapping, as x86's PUSHF did. "
         "Run it: the kernel sees the real state instead of its virtual one and says so; the monitor "
         "flags the instruction that escaped it. Switch the quirk off and run again.",
         "kernel", broken, "isa-specs/rv32.toml"},
        {"is-x86-virtualizable", "Is x86 virtualizable?",
         "IA-32 before VT-x in the analyzer: Theorem 1 fails, and the instruction table names the "
         "critical instructions (POPF, PUSHF, SGDT, ...). Select one to see which facts decide it.",
         "", {}, "isa-specs/x86-ia32.toml"},
        {"pdp10-jrst1", "The PDP-10's JRST 1",
         "Popek and Goldberg's own example. In the Description tab, make JRST 1 trap in user mode and "
         "watch Theorem 1's verdict change.",
         "", {}, "isa-specs/pdp10.toml"},
    };
  }();
  return list;
}

const Scenario* find_scenario(const std::string& name) {
  for (const Scenario& s : scenarios())
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace vmscope::ui
