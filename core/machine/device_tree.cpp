// Building the board's device tree, flattening it (the DTB's header, memory reservation map,
// structure and strings blocks) and printing it as source.
#include "machine/device_tree.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "devices/plic.h"
#include "machine/machine.h"

namespace vmscope {

namespace {
using Node = DeviceTreeNode;
using Kind = Node::Property::Kind;

void add_cells(Node& n, std::string name, std::initializer_list<uint32_t> cells) {
  std::vector<uint8_t> v;
  for (uint32_t c : cells)
    for (int s = 24; s >= 0; s -= 8) v.push_back(static_cast<uint8_t>(c >> s));
  n.properties.push_back({std::move(name), std::move(v), Kind::cells});
}
void add_strings(Node& n, std::string name, std::initializer_list<std::string> strings) {
  std::vector<uint8_t> v;
  for (const std::string& s : strings) v.insert(v.end(), s.c_str(), s.c_str() + s.size() + 1);
  n.properties.push_back({std::move(name), std::move(v), Kind::strings});
}
void add_empty(Node& n, std::string name) { n.properties.push_back({std::move(name), {}, Kind::empty}); }
std::string at(const char* name, uint32_t address) {
  char s[64];
  std::snprintf(s, sizeof s, "%s@%x", name, address);
  return s;
}
// reg = <address size> with two cells each, as QEMU's virt tree has them.
void add_reg(Node& n, uint32_t address, uint32_t size) { add_cells(n, "reg", {0, address, 0, size}); }

constexpr uint32_t kCpuPhandle = 1, kCpuIntcPhandle = 2, kPlicPhandle = 3, kTestPhandle = 4;
constexpr uint32_t kUartClock = 3686400;  // QEMU's 16550 input clock
}  // namespace

Node board_device_tree(const MachineOptions& o) {
  Node root{"", {}, {}};
  add_cells(root, "#address-cells", {2});
  add_cells(root, "#size-cells", {2});
  add_strings(root, "compatible", {"riscv-virtio"});
  add_strings(root, "model", {"riscv-virtio,vmscope"});

  Node chosen{"chosen", {}, {}};
  add_strings(chosen, "stdout-path", {at("/soc/serial", board::kUartBase)});
  root.children.push_back(std::move(chosen));

  const uint32_t ram_size = o.ram_size ? o.ram_size : board::kDefaultRamSize;
  Node memory{at("memory", board::kRamBase), {}, {}};
  add_strings(memory, "device_type", {"memory"});
  add_reg(memory, board::kRamBase, ram_size);
  root.children.push_back(std::move(memory));

  Node cpus{"cpus", {}, {}};
  add_cells(cpus, "#address-cells", {1});
  add_cells(cpus, "#size-cells", {0});
  add_cells(cpus, "timebase-frequency", {10'000'000});  // mtime: 10 MHz (HartConfig::steps_per_tick)
  Node cpu{"cpu@0", {}, {}};
  add_cells(cpu, "phandle", {kCpuPhandle});
  add_strings(cpu, "device_type", {"cpu"});
  add_cells(cpu, "reg", {0});
  add_strings(cpu, "status", {"okay"});
  add_strings(cpu, "compatible", {"riscv"});
  add_strings(cpu, "riscv,isa", {o.hypervisor ? "rv32imach_zicsr_zifencei" : "rv32imac_zicsr_zifencei"});
  add_strings(cpu, "mmu-type", {"riscv,sv32"});
  Node intc{"interrupt-controller", {}, {}};
  add_cells(intc, "#interrupt-cells", {1});
  add_empty(intc, "interrupt-controller");
  add_strings(intc, "compatible", {"riscv,cpu-intc"});
  add_cells(intc, "phandle", {kCpuIntcPhandle});
  cpu.children.push_back(std::move(intc));
  cpus.children.push_back(std::move(cpu));
  root.children.push_back(std::move(cpus));

  Node soc{"soc", {}, {}};
  add_cells(soc, "#address-cells", {2});
  add_cells(soc, "#size-cells", {2});
  add_strings(soc, "compatible", {"simple-bus"});
  add_empty(soc, "ranges");

  Node test{at("test", board::kTestDeviceBase), {}, {}};
  add_cells(test, "phandle", {kTestPhandle});
  add_reg(test, board::kTestDeviceBase, board::kTestDeviceSize);
  add_strings(test, "compatible", {"sifive,test1", "sifive,test0", "syscon"});
  soc.children.push_back(std::move(test));

  Node uart{at("serial", board::kUartBase), {}, {}};
  add_cells(uart, "interrupts", {board::kUartIrq});
  add_cells(uart, "interrupt-parent", {kPlicPhandle});
  add_cells(uart, "clock-frequency", {kUartClock});
  add_reg(uart, board::kUartBase, board::kUartSize);
  add_strings(uart, "compatible", {"ns16550a"});
  soc.children.push_back(std::move(uart));

  for (uint32_t slot = 0; slot < board::kVirtioSlots; ++slot) {
    const uint32_t base = board::kVirtioBase + slot * board::kVirtioSlotSize;
    Node virtio{at("virtio_mmio", base), {}, {}};
    add_cells(virtio, "interrupts", {board::kVirtioIrqBase + slot});
    add_cells(virtio, "interrupt-parent", {kPlicPhandle});
    add_reg(virtio, base, board::kVirtioSlotSize);
    add_strings(virtio, "compatible", {"virtio,mmio"});
    soc.children.push_back(std::move(virtio));
  }

  Node plic{at("plic", board::kPlicBase), {}, {}};
  add_cells(plic, "phandle", {kPlicPhandle});
  add_cells(plic, "riscv,ndev", {Plic::kSources - 1});
  add_reg(plic, board::kPlicBase, Plic::kSize);
  add_cells(plic, "interrupts-extended", {kCpuIntcPhandle, 11, kCpuIntcPhandle, 9});  // contexts 0 (M), 1 (S)
  add_empty(plic, "interrupt-controller");
  add_strings(plic, "compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
  add_cells(plic, "#address-cells", {0});
  add_cells(plic, "#interrupt-cells", {1});
  soc.children.push_back(std::move(plic));

  Node clint{at("clint", board::kClintBase), {}, {}};
  add_cells(clint, "interrupts-extended", {kCpuIntcPhandle, 3, kCpuIntcPhandle, 7});
  add_reg(clint, board::kClintBase, Clint::kSize);
  add_strings(clint, "compatible", {"sifive,clint0", "riscv,clint0"});
  soc.children.push_back(std::move(clint));
  root.children.push_back(std::move(soc));

  // The test device's two writes that end a run, as syscon nodes (Linux's poweroff/reboot).
  for (const auto& [name, value] : {std::pair{"poweroff", 0x5555u}, std::pair{"reboot", 0x7777u}}) {
    Node n{name, {}, {}};
    add_cells(n, "value", {value});
    add_cells(n, "offset", {0});
    add_cells(n, "regmap", {kTestPhandle});
    add_strings(n, "compatible", {std::string("syscon-") + name});
    root.children.push_back(std::move(n));
  }
  return root;
}

namespace {
constexpr uint32_t kFdtMagic = 0xd00dfeed, kBeginNode = 1, kEndNode = 2, kProp = 3, kEnd = 9;

void put32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}
void pad4(std::vector<uint8_t>& out) {
  while (out.size() % 4) out.push_back(0);
}

struct Flattener {
  std::vector<uint8_t> structure, strings;
  std::map<std::string, uint32_t> string_offsets;
  uint32_t string_offset(const std::string& name) {
    const auto [it, added] = string_offsets.emplace(name, static_cast<uint32_t>(strings.size()));
    if (added) strings.insert(strings.end(), name.c_str(), name.c_str() + name.size() + 1);
    return it->second;
  }
  void node(const Node& n) {
    put32(structure, kBeginNode);
    structure.insert(structure.end(), n.name.begin(), n.name.end());
    structure.push_back(0);
    pad4(structure);
    for (const Node::Property& p : n.properties) {
      put32(structure, kProp);
      put32(structure, static_cast<uint32_t>(p.value.size()));
      put32(structure, string_offset(p.name));
      structure.insert(structure.end(), p.value.begin(), p.value.end());
      pad4(structure);
    }
    for (const Node& c : n.children) node(c);
    put32(structure, kEndNode);
  }
};
}  // namespace

std::vector<uint8_t> flatten_device_tree(const Node& root) {
  Flattener f;
  f.node(root);
  put32(f.structure, kEnd);
  constexpr uint32_t kHeader = 40, kReserveMap = 16;  // one empty entry ends the map
  const uint32_t off_struct = kHeader + kReserveMap;
  const uint32_t off_strings = off_struct + static_cast<uint32_t>(f.structure.size());
  const uint32_t total = off_strings + static_cast<uint32_t>(f.strings.size());
  std::vector<uint8_t> blob;
  for (uint32_t v : {kFdtMagic, total, off_struct, off_strings, kHeader, 17u, 16u, 0u,
                     static_cast<uint32_t>(f.strings.size()), static_cast<uint32_t>(f.structure.size())})
    put32(blob, v);
  blob.resize(blob.size() + kReserveMap, 0);
  blob.insert(blob.end(), f.structure.begin(), f.structure.end());
  blob.insert(blob.end(), f.strings.begin(), f.strings.end());
  return blob;
}

namespace {
void print_node(const Node& n, int depth, std::string& out) {
  const std::string indent(static_cast<size_t>(depth), '\t');
  out += indent + (n.name.empty() ? "/" : n.name) + " {\n";
  for (const Node::Property& p : n.properties) {
    out += indent + "\t" + p.name;
    if (p.kind == Kind::cells) {
      out += " = <";
      for (size_t i = 0; i + 4 <= p.value.size(); i += 4) {
        const uint32_t c = static_cast<uint32_t>(p.value[i]) << 24 | p.value[i + 1] << 16 | p.value[i + 2] << 8 | p.value[i + 3];
        char s[16];
        std::snprintf(s, sizeof s, "%s0x%x", i ? " " : "", c);
        out += s;
      }
      out += ">";
    } else if (p.kind == Kind::strings) {
      out += " = ";
      size_t start = 0;
      for (size_t i = 0; i < p.value.size(); ++i) {
        if (p.value[i] != 0) continue;
        out += (start ? ", \"" : "\"") + std::string(p.value.begin() + static_cast<long>(start), p.value.begin() + static_cast<long>(i)) + "\"";
        start = i + 1;
      }
    }
    out += ";\n";
  }
  for (const Node& c : n.children) {
    out += "\n";
    print_node(c, depth + 1, out);
  }
  out += indent + "};\n";
}
}  // namespace

std::string device_tree_source(const Node& root) {
  std::string out = "/dts-v1/;\n\n";
  print_node(root, 0, out);
  return out;
}

uint32_t device_tree_address(uint32_t ram_base, uint32_t ram_size, uint32_t blob_size) {
  const uint64_t ram_end = uint64_t{ram_base} + ram_size;
  const uint64_t end = ram_base < (uint64_t{3} << 30) ? std::min<uint64_t>(ram_end, uint64_t{3} << 30) : ram_end;
  return static_cast<uint32_t>(std::max<uint64_t>(ram_base, (end - blob_size) & ~uint64_t{(2u << 20) - 1}));
}

}  // namespace vmscope
