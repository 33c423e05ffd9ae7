// Assembling the two kinds of machine, loading programs into them, and resetting them.
#include "machine/machine.h"

#include <algorithm>
#include <array>
#include <iterator>

#include "firmware/sbi.h"
#include "machine/device_tree.h"
#include "machine/linux_process.h"
#include "vmm/guest_memory.h"
#include "vmm/monitor.h"

namespace vmscope {

namespace {
// The CLINT's registers are the hart's timer state and software interrupt line.
class HartClintLines final : public ClintLines {
 public:
  explicit HartClintLines(Hart& hart) : hart_(hart) {}
  bool msip() const override { return hart_.msip(); }
  void set_msip(bool pending) override { hart_.set_msip(pending); }
  uint64_t mtime() const override { return hart_.mtime(); }
  void set_mtime(uint64_t value) override { hart_.set_mtime(value); }
  uint64_t mtimecmp() const override { return hart_.mtimecmp(); }
  void set_mtimecmp(uint64_t value) override { hart_.set_mtimecmp(value); }

 private:
  Hart& hart_;
};
}  // namespace

const char* to_string(Virtualization v) {
  switch (v) {
    case Virtualization::emulation: return "emulation";
    case Virtualization::trap_and_emulate: return "trap-and-emulate";
    case Virtualization::binary_translation: return "binary-translation";
    case Virtualization::paravirtual: return "paravirtual";
    case Virtualization::hardware_assisted: return "hardware-assisted";
  }
  return "?";
}

const char* to_string(Console c) {
  switch (c) {
    case Console::sbi: return "sbi";
    case Console::pass_through: return "pass-through";
    case Console::emulated: return "emulated";
    case Console::virtio: return "virtio";
  }
  return "?";
}

std::optional<Console> parse_console(std::string_view name) {
  for (const Console c : {Console::sbi, Console::pass_through, Console::emulated, Console::virtio})
    if (name == to_string(c)) return c;
  return std::nullopt;
}

const char* to_string(Misaligned m) { return m == Misaligned::trap ? "trap" : "emulate"; }

std::optional<Misaligned> parse_misaligned(std::string_view name) {
  for (const Misaligned m : {Misaligned::emulate, Misaligned::trap})
    if (name == to_string(m)) return m;
  return std::nullopt;
}

std::string virtualization_names() {
  std::string names;
  for (size_t i = 0; i < std::size(kVirtualizations); ++i)
    names += std::string(i == 0 ? "" : i + 1 == std::size(kVirtualizations) ? " or " : ", ") + to_string(kVirtualizations[i]);
  return names;
}

std::optional<Virtualization> parse_virtualization(std::string_view name) {
  for (const Virtualization v : kVirtualizations)
    if (name == to_string(v)) return v;
  return std::nullopt;
}

const char* to_string(Engine e) { return e == Engine::translator ? "translator" : "interpreter"; }

const char* to_string(Firmware f) { return f == Firmware::sbi ? "sbi" : "none"; }

const char* to_string(MachineKind k) { return k == MachineKind::process ? "process" : "system"; }

bool wants_hypervisor(const ElfImage& image) {
  return std::any_of(image.symbols.begin(), image.symbols.end(),
                     [](const ElfSymbol& s) { return s.name == "vmscope_needs_hypervisor"; });
}

MachineKind guess_machine_kind(const ElfImage& image) {
  return image.entry >= board::kRamBase ? MachineKind::system : MachineKind::process;
}

Machine::Machine(MachineOptions options) : options_(std::move(options)) {
  if (options_.ram_size == 0)
    options_.ram_size = options_.kind == MachineKind::system ? board::kDefaultRamSize : process_layout::kDefaultSize;
  if (options_.kind != MachineKind::system) options_.virtualization = Virtualization::emulation;
  if (options_.virtualization != Virtualization::emulation) options_.firmware = Firmware::sbi;
  // A paravirtual kernel's page tables are the monitor's to write (by hypercall): the shadows
  // write-protect them, as Xen makes a PV guest's page tables read-only.
  if (options_.virtualization == Virtualization::paravirtual) options_.invalidation = ShadowInvalidation::write_protect;
  // The hardware-assisted way needs the hypervisor extension.
  if (options_.virtualization == Virtualization::hardware_assisted) options_.hypervisor = true;
  assemble();
}

Machine::~Machine() = default;

void Machine::assemble() {
  const bool system = options_.kind == MachineKind::system;
  const bool monitored = options_.virtualization != Virtualization::emulation;
  bus_ = std::make_unique<Bus>(system ? board::kRamBase : process_layout::kBase,
                               options_.ram_size + (monitored ? vmm_layout::kMonitorMemory : 0));
  code_ = std::make_unique<CodeCache>(*bus_);
  bus_->set_code_cache(code_.get());
  HartConfig config;
  config.misaligned_access_traps = options_.misaligned == Misaligned::trap;
  config.exceptions_stop = !system;
  config.hypervisor = system && options_.hypervisor;
  config.pmp_entries = system ? std::min(options_.pmp_entries, Pmp::kMaxEntries) : 0;
  hart_ = std::make_unique<Hart>(*bus_, *code_, config);
  hart_->set_quirks(options_.quirks);
  blocks_ = std::make_unique<BlockCache>(*bus_, options_.translator);
  blocks_->clock = [this] { return hart_->steps(); };
  code_->set_listener(blocks_.get());
  set_engine(options_.engine);
  if (system) {
    device_tree_ = flatten_device_tree(board_device_tree(options_));
    device_tree_address_ = vmscope::device_tree_address(board::kRamBase, options_.ram_size, static_cast<uint32_t>(device_tree_.size()));
    clint_lines_ = std::make_unique<HartClintLines>(*hart_);
    clint_ = std::make_unique<Clint>(*clint_lines_);
    bus_->map_device(board::kTestDeviceBase, board::kTestDeviceSize, &test_device_);
    bus_->map_device(board::kClintBase, Clint::kSize, clint_.get());
    bus_->map_device(board::kUartBase, board::kUartSize, &uart_);
    uart_.on_output = [this](char c) { output(1, std::string_view(&c, 1)); };
    bus_->map_device(board::kPlicBase, Plic::kSize, &plic_);
    plic_.on_context_line = [this](unsigned context, bool level) {
      if (context == 0) hart_->set_external_interrupt(level);
      else hart_->set_supervisor_external_interrupt(level);
    };
    uart_.on_interrupt_line = [this](bool level) { plic_.set_level(board::kUartIrq, level); };
    std::array<Device*, board::kVirtioSlots> slots;
    slots.fill(&empty_virtio_slot_);
    if (options_.console == Console::virtio) {
      console_device_ = std::make_unique<VirtioConsole>();
      console_transport_ = make_virtio_transport(*console_device_, board::kVirtioConsoleSlot);
      console_device_->on_output = [this](std::string_view bytes) { output(1, bytes); };
      slots[board::kVirtioConsoleSlot] = console_transport_.get();
    }
    if (options_.balloon) {
      balloon_device_ = std::make_unique<VirtioBalloon>();
      balloon_transport_ = make_virtio_transport(*balloon_device_, board::kVirtioBalloonSlot);
      balloon_device_->on_inflate = [this](uint32_t pfn) { return balloon_page(pfn, true); };
      balloon_device_->on_deflate = [this](uint32_t pfn) { return balloon_page(pfn, false); };
      balloon_device_->after_request = [this](bool inflated) {
        if (inflated && monitor_) monitor_->unmap_reclaimed();
        if (hart_->on_event)
          hart_->on_event({hart_->steps() + 1, EventKind::balloon, inflated ? 0u : 1u, hart_->pc(), bus_->reclaimed_pages()});
      };
      slots[board::kVirtioBalloonSlot] = balloon_transport_.get();
    }
    if (options_.drive) {
      disk_device_ = std::make_unique<VirtioBlock>(options_.drive);
      disk_transport_ = make_virtio_transport(*disk_device_, board::kVirtioBlockSlot);
      disk_device_->on_request = [this](uint32_t type, uint64_t sector, uint32_t count, uint8_t status) {
        if (hart_->on_event)
          hart_->on_event({hart_->steps() + 1, EventKind::disk, (type & 0xff) | uint32_t{status} << 8 | std::min(count, 0xffffu) << 16,
                           hart_->pc(), static_cast<uint32_t>(sector)});
      };
      slots[board::kVirtioBlockSlot] = disk_transport_.get();
    }
    for (uint32_t slot = 0; slot < board::kVirtioSlots; ++slot)
      bus_->map_device(board::kVirtioBase + slot * board::kVirtioSlotSize, board::kVirtioSlotSize, slots[slot]);
    test_device_.on_exit = [this](int code, bool reset_requested) {
      hart_->exit_code = code;
      hart_->stop_message = reset_requested ? "the guest asked for a reset (test device)"
                                            : "the guest wrote to the test device";
      hart_->request_stop(StopReason::exited);
    };
    if (options_.firmware == Firmware::sbi) {
      sbi_ = std::make_unique<SbiFirmware>(*hart_, *bus_, uart_);
      sbi_->on_output = [this](std::string_view bytes) { output(1, bytes); };
      sbi_->offer_console = options_.console == Console::sbi;
      hart_->ecall_hook = [this](Hart& h) { return sbi_->handle_ecall(h); };
    }
    if (monitored) {
      // The guest sees its RAM where the board has it, the test device and the UART passed
      // through; the monitor keeps the first kMonitorMemory bytes of host RAM for itself.
      guest_memory_ = std::make_unique<GuestMemory>(*bus_, board::kRamBase, options_.ram_size, vmm_layout::kMonitorMemory);
      guest_memory_->pass_through(board::kTestDeviceBase, board::kTestDeviceSize);
      // The PLIC's registers are emulated (its claims and completions exit: the monitor sees the
      // guest serve its devices); its supervisor context is the guest's external interrupt.
      guest_memory_->emulate(board::kPlicBase, Plic::kSize);
      if (options_.console == Console::emulated) guest_memory_->emulate(board::kUartBase, board::kUartSize);
      else guest_memory_->pass_through(board::kUartBase, board::kUartSize);
      // The virtio slots: the devices' emulated (every register access exits), the empty ones passed through.
      for (uint32_t slot = 0; slot < board::kVirtioSlots; ++slot) {
        const uint32_t base = board::kVirtioBase + slot * board::kVirtioSlotSize;
        if (slots[slot] != &empty_virtio_slot_) guest_memory_->emulate(base, board::kVirtioSlotSize);
        else guest_memory_->pass_through(base, board::kVirtioSlotSize);
      }
      sbi_->read_physical = [this](uint32_t gpa, std::span<uint8_t> out) { return guest_memory_->read(gpa, out); };
      sbi_->write_physical = [this](uint32_t gpa, std::span<const uint8_t> in) { return guest_memory_->write(gpa, in); };
      const unsigned pages = std::clamp(options_.shadow_pages, vmm_layout::kMinShadowPages, vmm_layout::kMaxShadowPages);
      monitor_ = std::make_unique<Monitor>(*hart_, *bus_, *guest_memory_, *sbi_, board::kRamBase, pages * 4096);
      monitor_->set_invalidation(options_.invalidation);
      monitor_->check_shadows = options_.check_shadows;
      monitor_->binary_translation = options_.virtualization == Virtualization::binary_translation;
      monitor_->paravirtual = options_.virtualization == Virtualization::paravirtual;
      monitor_->hardware_assisted = options_.virtualization == Virtualization::hardware_assisted;
      hart_->trap_hook = [this](Hart& h, const TrapEvent& t) { return monitor_->on_trap(h, t); };
      sbi_->set_software_interrupt = [this](bool pending) { monitor_->set_guest_software_interrupt(pending); };
      sbi_->fence_vma = [this](uint32_t a, uint32_t n, bool by_asid, uint16_t asid) { monitor_->fence_guest(a, n, by_asid, asid); };
    }
  } else {
    process_ = std::make_unique<LinuxProcess>(*hart_, *bus_);
    process_->set_directories(options_.directories);
    process_->on_output = [this](int fd, std::string_view bytes) { output(fd, bytes); };
    process_->host_clock = [this](bool realtime) {
      return host_clock ? host_clock(realtime) : LinuxProcess::read_host_clock(realtime);
    };
    process_->read_stdin = [this](uint8_t* buffer, size_t size) -> size_t {
      return read_stdin ? read_stdin(buffer, size) : 0;
    };
    hart_->ecall_hook = [this](Hart& h) { return process_->handle_ecall(h); };
  }
}

ElfResult Machine::load(std::span<const uint8_t> file, std::string_view file_name) {
  ElfResult parsed = parse_elf(file, file_name);
  if (!parsed.ok()) return parsed;
  const bool system = options_.kind == MachineKind::system;
  // The process stack lives at the top of its region: segments must stay below it.
  const MemoryRegion region{bus_->ram_base(), system ? options_.ram_size : bus_->ram_size() - process_layout::kStackSize};
  ElfResult placed = place_check(parsed.image, std::span(&region, 1), system, file_name);
  if (!placed.ok()) return placed;
  image_ = std::move(parsed.image);
  symbols_ = SymbolTable(image_.symbols);
  file_name_ = std::string(file_name);
  install_htif();
  reset();
  return parsed;  // ok, image moved out
}

std::optional<uint32_t> Machine::program_address(uint32_t hpa) const {
  const bool system = options_.kind == MachineKind::system;
  const uint32_t offset = guest_memory_ ? guest_memory_->offset() : 0;
  for (const ElfSegment& s : image_.segments) {
    const uint32_t base = system ? s.paddr + offset : s.vaddr;
    if ((s.flags & 1) && hpa - base < s.memsz) return s.vaddr + (hpa - base);
  }
  return std::nullopt;
}

void Machine::set_engine(Engine engine) {
  options_.engine = engine;
  hart_->set_translator(engine == Engine::translator ? blocks_.get() : nullptr);
}

// Programs written for Spike's HTIF (riscv-tests and most conformance suites) end by writing to
// their `tohost` word: on the board, without a monitor (they start in M-mode), it is watched.
void Machine::install_htif() {
  htif_.reset();
  bus_->unwatch_ram_stores();
  const ElfSymbol* tohost = symbols_.find("tohost");
  if (options_.kind != MachineKind::system || monitor_ || !tohost || (tohost->value & 7) || !bus_->in_ram(tohost->value, 8))
    return;
  const ElfSymbol* fromhost = symbols_.find("fromhost");
  std::optional<uint32_t> fromhost_address;
  if (fromhost && !(fromhost->value & 7) && bus_->in_ram(fromhost->value, 8)) fromhost_address = fromhost->value;
  htif_ = std::make_unique<Htif>(*bus_, tohost->value, fromhost_address);
  htif_->on_exit = [this](int code) {
    hart_->exit_code = code;
    hart_->stop_message = "the guest wrote its exit code to tohost (HTIF)";
    hart_->request_stop(StopReason::exited);
  };
  htif_->on_output = [this](std::string_view bytes) { output(1, bytes); };
  htif_->on_unsupported = [this](const std::string& message) {
    hart_->stop_message = message;
    hart_->request_stop(StopReason::unsupported);
  };
  bus_->watch_ram_stores(tohost->value, 8, [this](uint32_t paddr, unsigned size) { htif_->on_store(paddr, size); });
}

// A virtio device's transport: it reaches the guest's memory by DMA, at guest-physical
// addresses (under a monitor: the guest's RAM at the monitor's offset, and nothing else).
// Its interrupt line is the slot's PLIC source.
std::unique_ptr<VirtioMmio> Machine::make_virtio_transport(VirtioDeviceType& type, uint32_t slot) {
  auto transport = std::make_unique<VirtioMmio>(type, [this](uint64_t gpa, uint32_t length) -> uint8_t* {
    if (gpa > 0xffffffffull) return nullptr;
    const auto a = static_cast<uint32_t>(gpa);
    if (guest_memory_) return guest_memory_->in_ram(a, length) ? bus_->ram_pointer(a + guest_memory_->offset(), length) : nullptr;
    return bus_->ram_pointer(a, length);
  });
  transport->on_interrupt_line = [this, slot](bool level) { plic_.set_level(board::kVirtioIrqBase + slot, level); };
  return transport;
}

// A page frame the guest's balloon driver gave (or takes back): the host reclaims its memory
// (or backs it again). Only the guest's RAM; under a monitor the shadow or G-stage entries of
// reclaimed pages go once the whole request is handled (after_inflate).
bool Machine::balloon_page(uint32_t pfn, bool inflate) {
  if (pfn >= (1u << 20)) return false;
  const uint32_t gpa = pfn << 12;
  const bool ram = guest_memory_ ? guest_memory_->is_ram_page(gpa) : bus_->in_ram(gpa, 0x1000);
  if (!ram) return false;
  const uint32_t hpa = gpa + (guest_memory_ ? guest_memory_->offset() : 0);
  if (inflate) {
    bus_->reclaim_page(hpa);
    if (guest_memory_) guest_memory_->note_written(gpa, 0x1000);  // (zeroed: a live migration sends it again)
  } else {
    bus_->back_page(hpa);
  }
  return true;
}

const VirtioMmio* Machine::virtio_slot(uint32_t slot) const {
  if (slot == board::kVirtioBlockSlot && disk_transport_) return disk_transport_.get();
  if (slot == board::kVirtioBalloonSlot && balloon_transport_) return balloon_transport_.get();
  if (slot == board::kVirtioConsoleSlot && console_transport_) return console_transport_.get();
  return nullptr;
}

void Machine::set_balloon_target(uint32_t pages) {
  if (balloon_device_) balloon_device_->set_target(*balloon_transport_, pages);
}

void Machine::set_translator_options(const TranslatorOptions& options) {
  blocks_->set_options(options);
  options_.translator = blocks_->options();
}

void Machine::place_image() {
  const bool system = options_.kind == MachineKind::system;
  const uint32_t offset = guest_memory_ ? guest_memory_->offset() : 0;  // guest-physical to host
  for (const ElfSegment& s : image_.segments) bus_->write_bytes(system ? s.paddr + offset : s.vaddr, s.data);
}

void Machine::reset() {
  bus_->clear_ram();
  code_->clear();
  plic_.reset();
  uart_.reset();
  if (console_transport_) console_transport_->reset();
  if (balloon_transport_) balloon_transport_->reset();
  if (balloon_device_) balloon_device_->power_on();
  if (disk_transport_) disk_transport_->reset();
  if (disk_device_) disk_device_->power_on();
  hart_->reset(image_.entry);
  // The device tree first, the program over it if they overlap (as QEMU loads them).
  if (!device_tree_.empty()) bus_->write_bytes(device_tree_address_ + (guest_memory_ ? guest_memory_->offset() : 0), device_tree_);
  place_image();
  if (monitor_) monitor_->start(image_.entry);
  else if (sbi_) sbi_->start(image_.entry);
  if (!device_tree_.empty()) {  // what QEMU's boot code (or OpenSBI) passes: a0 = hart id, a1 = the tree
    hart_->set_reg(10, 0);
    hart_->set_reg(11, device_tree_address_);
  }
  if (process_) {
    uint32_t end = 0;
    for (const ElfSegment& s : image_.segments) end = std::max(end, s.vaddr + s.memsz);
    LinuxProcess::Start start;
    start.image_end = end;
    start.entry = image_.entry;
    start.phdr = image_.phdr_vaddr;
    start.phnum = image_.phnum;
    start.argv = options_.argv;
    if (start.argv.empty()) start.argv.push_back(file_name_);
    start.envp = options_.envp;
    process_->start(start);
  }
}

RunResult Machine::run(uint64_t max_steps) { return hart_->run(max_steps); }

void Machine::set_event_sink(EventSink sink) {
  hart_->on_event = sink;
  blocks_->on_event = std::move(sink);
}

void Machine::output(int fd, std::string_view bytes) {
  if (hart_->on_event && bytes.find('\n') != std::string_view::npos)
    hart_->on_event({hart_->steps() + 1, EventKind::console_line, static_cast<uint32_t>(fd), hart_->pc(), 0});
  if (on_output) on_output(fd, bytes);
}

void Machine::set_interactive_stdin(bool wait_for_input) {
  if (process_) process_->wait_for_input = wait_for_input;
}

void Machine::close_input() {
  if (process_) process_->close_stdin();
}

void Machine::feed_input(std::string_view bytes) {
  if (process_)
    process_->push_stdin(bytes);
  else
    uart_.push_input(bytes);
}

}  // namespace vmscope
