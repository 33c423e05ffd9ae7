// The board described as a flattened device tree (Devicetree Specification v0.4, "DTB"
// version 17), as QEMU passes one to what it boots: a1 holds its address at entry (a0 the hart
// id). Made from the board model itself — RAM, the CPU and its ISA string, CLINT, PLIC, the
// 16550, the eight virtio-mmio slots, the test device (as syscon poweroff/reboot) — so that
// an OS that reads the tree finds exactly the machine it runs on. `vmscope dtb` prints it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vmscope {

struct MachineOptions;

// A node of the tree and its properties (values in the tree's big-endian encoding).
struct DeviceTreeNode {
  struct Property {
    std::string name;
    std::vector<uint8_t> value;
    enum class Kind : uint8_t { empty, cells, strings } kind;
  };
  std::string name;
  std::vector<Property> properties;
  std::vector<DeviceTreeNode> children;
};

DeviceTreeNode board_device_tree(const MachineOptions& options);
std::vector<uint8_t> flatten_device_tree(const DeviceTreeNode& root);  // the DTB blob
std::string device_tree_source(const DeviceTreeNode& root);           // as .dts text

// Where the board puts the blob: at the start of the last 2 MiB of RAM (below 3 GiB), as QEMU does.
uint32_t device_tree_address(uint32_t ram_base, uint32_t ram_size, uint32_t blob_size);

}  // namespace vmscope
