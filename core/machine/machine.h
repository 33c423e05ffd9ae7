// A whole machine: RAM, devices and one hart, assembled either as the QEMU-virt-like board
// (system VM) or as a Linux user process whose system calls the host serves (process VM).
// Front ends (CLI, debugger, tests) drive any machine through this one interface.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "machine/guest_files.h"
#include "devices/clint.h"
#include "devices/htif.h"
#include "devices/plic.h"
#include "devices/test_device.h"
#include "devices/uart16550.h"
#include "devices/virtio_balloon.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_mmio.h"
#include "elf/elf_image.h"
#include "mem/code_cache.h"
#include "hart/hart.h"
#include "mem/bus.h"
#include "translator/block_cache.h"
#include "vmm/shadow_mmu.h"

namespace vmscope {

class GuestMemory;
class LinuxProcess;
class Monitor;
class SbiFirmware;

enum class MachineKind : uint8_t { process, system };
const char* to_string(MachineKind k);
// The machine a program is built for: bare metal starts in the board's RAM, a Linux program
// below it (static executables are linked at 0x10000).
MachineKind guess_machine_kind(const ElfImage& image);
// A bare-metal program built for a hart with the hypervisor extension says so by defining the
// symbol `vmscope_needs_hypervisor`; vmscope then gives its hart H (as --hypervisor does).
bool wants_hypervisor(const ElfImage& image);

// The board's memory map (QEMU virt's addresses).
namespace board {
inline constexpr uint32_t kTestDeviceBase = 0x00100000, kTestDeviceSize = 0x1000;
inline constexpr uint32_t kClintBase = 0x02000000;
inline constexpr uint32_t kPlicBase = 0x0c000000;
inline constexpr uint32_t kUartBase = 0x10000000, kUartSize = 0x100;
inline constexpr uint32_t kVirtioBase = 0x10001000, kVirtioSlotSize = 0x1000, kVirtioSlots = 8;  // QEMU virt's
// Where the machine's virtio devices are, when it has them: the disk in the first slot, where
// teaching kernels written for QEMU (xv6's VIRTIO0) look for it.
inline constexpr uint32_t kVirtioBlockSlot = 0, kVirtioBalloonSlot = 1, kVirtioConsoleSlot = 2;
// PLIC interrupt sources: virtio slot n interrupts on source 1 + n, the UART on 10.
inline constexpr unsigned kVirtioIrqBase = 1, kUartIrq = 10;
inline constexpr uint32_t kRamBase = 0x80000000;
inline constexpr uint32_t kDefaultRamSize = 128u << 20;
}  // namespace board

// The process VM's address space: one flat region above a guard area that catches null pointers.
namespace process_layout {
inline constexpr uint32_t kBase = 0x00010000;
inline constexpr uint32_t kDefaultSize = 64u << 20;
inline constexpr uint32_t kStackSize = 1u << 20;  // brk never grows into the top 1 MiB
}  // namespace process_layout

// What runs before the program on the board: nothing (it starts in M-mode), or vmscope's own
// SBI firmware (it starts in S-mode and calls the firmware with ECALL).
enum class Firmware : uint8_t { none, sbi };
const char* to_string(Firmware f);  // "none", "sbi"

// How a supervisor-mode guest kernel (on SBI firmware) runs: its S-mode as the hart's S-mode
// (emulation), or deprivileged in the hart's U-mode under vmscope's monitor (trap-and-emulate),
// optionally with the kernel's code binary-translated (sensitive instructions become callouts),
// or a paravirtual kernel that calls the monitor instead of executing privileged instructions,
// or (hardware-assisted) in the hart's VS-mode behind two-stage translation (the H extension).
enum class Virtualization : uint8_t { emulation, trap_and_emulate, binary_translation, paravirtual, hardware_assisted };
inline constexpr Virtualization kVirtualizations[] = {Virtualization::emulation, Virtualization::trap_and_emulate,
                                                     Virtualization::binary_translation, Virtualization::paravirtual,
                                                     Virtualization::hardware_assisted};
const char* to_string(Virtualization v);  // "trap-and-emulate": the name users type
std::optional<Virtualization> parse_virtualization(std::string_view name);
std::string virtualization_names();  // "emulation, trap-and-emulate, ... or hardware-assisted"

// Under the monitor, host RAM holds the monitor's own memory (shadow page tables) first and the
// guest's RAM after it: guest-physical = host-physical - kMonitorMemory.
namespace vmm_layout {
inline constexpr uint32_t kMonitorMemory = 8u << 20;
inline constexpr unsigned kMaxShadowPages = kMonitorMemory / 4096;  // the shadow-table pool's default
inline constexpr unsigned kMinShadowPages = 8;  // one table's root and the pages one instruction needs, with room
}

// How a kernel on SBI firmware reaches its console: by firmware call (SBI DBCN, a call per
// string), or driving the board's 16550 itself, passed through to it (its register accesses
// reach the device directly) or, under a monitor, emulated (each access traps and the monitor
// carries it out).
// Or (virtio) through a paravirtual virtio-console in the board's first virtio-mmio slot, its
// registers reached only through the monitor (one exit per notification).
enum class Console : uint8_t { sbi, pass_through, emulated, virtio };
const char* to_string(Console c);  // "pass-through"
std::optional<Console> parse_console(std::string_view name);

// Misaligned loads and stores (not atomics: those always raise the exception): carried out
// byte by byte as QEMU's virt and Linux do (emulate), or an address-misaligned exception with
// the address in mtval (trap), as the spec also allows and as Spike does by default.
enum class Misaligned : uint8_t { emulate, trap };
const char* to_string(Misaligned m);  // "emulate"
std::optional<Misaligned> parse_misaligned(std::string_view name);

// How the hart runs guest code: the interpreter (predecoded instructions), or the block
// translator (translated blocks in a code cache, chained together).
enum class Engine : uint8_t { interpreter, translator };
const char* to_string(Engine e);

struct MachineOptions {
  MachineKind kind = MachineKind::system;
  uint32_t ram_size = 0;  // 0: the kind's default
  std::vector<std::string> argv;  // process VM: the guest's argv (argv[0] defaults to the file name)
  std::vector<GuestDirectory> directories;  // process VM: the folders the guest may use (--dir)
  std::vector<std::string> envp;            // process VM: its environment (NAME=VALUE), empty by default
  Firmware firmware = Firmware::none;  // system VM only
  Virtualization virtualization = Virtualization::emulation;  // trap-and-emulate implies SBI firmware
  Console console = Console::sbi;  // (emulated needs a monitor)
  ShadowInvalidation invalidation = ShadowInvalidation::sfence;
  bool check_shadows = false;  // the monitor verifies its shadow tables after every exit
  unsigned shadow_pages = vmm_layout::kMaxShadowPages;  // the shadow-table pool (kMin..kMax pages)
  Quirks quirks;               // teaching quirks of the hart (any machine)
  bool hypervisor = false;     // the hart has the hypervisor extension (misa.H; system machine)
  bool balloon = false;        // a virtio-balloon device (system machine): the host can ask for memory back
  DiskBytes drive;             // a virtio-blk disk with this image (system machine), or none
  unsigned pmp_entries = 16;   // the hart's PMP entries (system machine; 0..16, as QEMU's pmp=false is 0)
  Misaligned misaligned = Misaligned::emulate;
  Engine engine = Engine::interpreter;
  TranslatorOptions translator;  // the block translator's code cache (used when engine = translator)
};

class Machine {
 public:
  explicit Machine(MachineOptions options);
  ~Machine();
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  // Loads and validates an ELF executable and resets the hart to its entry. On failure the
  // result says why (ElfError and a message naming the file) and the machine is unchanged.
  ElfResult load(std::span<const uint8_t> file, std::string_view file_name);
  // Resets to the state right after the last successful load.
  void reset();
  RunResult run(uint64_t max_steps);

  // ---- snapshots (machine_state.cpp)
  // Everything but RAM: the hart, the devices, the process's OS state or the monitor. Loading
  // expects a state saved by a machine built with the same options and program; it drops the
  // decoded and translated code and returns false (the machine then needs a reset) if the bytes
  // are truncated or do not fit. RAM is the snapshot store's business (timetravel/).
  void save_state(StateWriter& out) const;
  bool load_state(StateReader& in);

  MachineKind kind() const { return options_.kind; }
  Hart& hart() { return *hart_; }
  const Hart& hart() const { return *hart_; }
  const LinuxProcess* process() const { return process_.get(); }  // the process VM's OS (null on the board)
  LinuxProcess* process() { return process_.get(); }
  Bus& bus() { return *bus_; }
  const Bus& bus() const { return *bus_; }
  CodeCache& code_cache() { return *code_; }
  // The translator's code cache (it exists, empty, while the interpreter runs).
  BlockCache& block_cache() { return *blocks_; }
  const BlockCache& block_cache() const { return *blocks_; }
  // Run-time switches: the engine, and the code cache's chaining, size and eviction.
  void set_engine(Engine engine);
  Engine engine() const { return options_.engine; }
  void set_translator_options(const TranslatorOptions& options);
  const SymbolTable& symbols() const { return symbols_; }
  // Where the program's image put host-physical `hpa`, as a program (ELF virtual) address, if it
  // is in one of its executable segments (code the program loaded or made elsewhere is not).
  std::optional<uint32_t> program_address(uint32_t hpa) const;
  const ElfImage& image() const { return image_; }
  Uart16550& uart() { return uart_; }
  const Plic& plic() const { return plic_; }
  // The monitor, under trap-and-emulate (null otherwise).
  // The balloon (MachineOptions::balloon), or null. Setting its target asks the guest's driver
  // to give (or take back) pages; what it gave, the host reclaims (Bus::reclaimed).
  const VirtioBalloon* balloon() const { return balloon_device_.get(); }
  void set_balloon_target(uint32_t pages);
  // The disk (MachineOptions::drive), or null; its transport, for the debugger's view.
  VirtioBlock* disk() { return disk_device_.get(); }
  const VirtioBlock* disk() const { return disk_device_.get(); }
  // The transport in virtio slot `slot` (0..7), or null when the slot is empty.
  const VirtioMmio* virtio_slot(uint32_t slot) const;
  Monitor* monitor() { return monitor_.get(); }
  const Monitor* monitor() const { return monitor_.get(); }
  const MachineOptions& options() const { return options_; }
  // The system machine's device tree blob and its (guest-physical) address: a1 at entry.
  const std::vector<uint8_t>& device_tree() const { return device_tree_; }
  uint32_t device_tree_address() const { return device_tree_address_; }

  // The timeline's events from every part of the machine (null: nobody listens).
  void set_event_sink(EventSink sink);

  // Console: bytes the guest writes (UART, or stdout/stderr of a process) and bytes it reads.
  std::function<void(int fd, std::string_view bytes)> on_output;
  void feed_input(std::string_view bytes);  // UART receive queue, or the process's stdin
  // Process VM: called when stdin is empty; returns bytes read (0 = end of input). Without it,
  // a read() of empty stdin waits for feed_input() (interactive) or sees end of input.
  std::function<size_t(uint8_t* buffer, size_t size)> read_stdin;
  void set_interactive_stdin(bool wait_for_input);
  void close_input();  // end of input: a waiting read() returns 0
  // Process VM: where clock_gettime's real-time and monotonic clocks come from (ns; true =
  // real time). Default: the host's clocks.
  std::function<int64_t(bool realtime)> host_clock;

 private:
  void assemble();
  void place_image();
  void output(int fd, std::string_view bytes);  // to on_output, noting line ends

  MachineOptions options_;
  std::unique_ptr<Bus> bus_;
  std::unique_ptr<CodeCache> code_;
  std::unique_ptr<BlockCache> blocks_;
  std::unique_ptr<Hart> hart_;
  Uart16550 uart_;
  Plic plic_;
  // The board's virtio devices (kVirtio*Slot), each behind its own transport.
  std::unique_ptr<VirtioConsole> console_device_;
  std::unique_ptr<VirtioMmio> console_transport_;
  std::unique_ptr<VirtioBalloon> balloon_device_;
  std::unique_ptr<VirtioMmio> balloon_transport_;
  std::unique_ptr<VirtioBlock> disk_device_;
  std::unique_ptr<VirtioMmio> disk_transport_;
  VirtioEmptySlot empty_virtio_slot_;  // in every slot without a device
  std::unique_ptr<VirtioMmio> make_virtio_transport(VirtioDeviceType& type, uint32_t slot);
  bool balloon_page(uint32_t pfn, bool inflate);  // the host's side of the balloon
  void install_htif();  // for a program with a tohost symbol (riscv-tests and the like)
  std::unique_ptr<Htif> htif_;
  std::unique_ptr<ClintLines> clint_lines_;  // the CLINT's view of the hart
  std::unique_ptr<Clint> clint_;
  TestDevice test_device_;
  std::unique_ptr<LinuxProcess> process_;
  std::unique_ptr<SbiFirmware> sbi_;
  std::unique_ptr<GuestMemory> guest_memory_;
  std::unique_ptr<Monitor> monitor_;
  ElfImage image_;
  SymbolTable symbols_;
  std::string file_name_;
  std::vector<uint8_t> device_tree_;
  uint32_t device_tree_address_ = 0;
};

}  // namespace vmscope
