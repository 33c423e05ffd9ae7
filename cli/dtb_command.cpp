// `vmscope dtb`: the device tree the system machine passes its program in a1.
#include <cstdio>

#include "commands.h"
#include "exit_codes.h"
#include "machine/device_tree.h"

namespace vmscope::cli {

int dtb_command(const DtbOptions& o) {
  MachineOptions options;
  options.ram_size = o.ram_mib << 20;
  options.hypervisor = o.hypervisor;
  const DeviceTreeNode tree = board_device_tree(options);
  if (o.output.empty()) {
    std::fputs(device_tree_source(tree).c_str(), stdout);
    return 0;
  }
  const std::vector<uint8_t> blob = flatten_device_tree(tree);
  std::FILE* f = std::fopen(o.output.c_str(), "wb");
  if (!f || std::fwrite(blob.data(), 1, blob.size(), f) != blob.size() || std::fclose(f) != 0) {
    std::fprintf(stderr, "vmscope: dtb: cannot write '%s'\n", o.output.c_str());
    return kCannotRead;
  }
  return 0;
}

}  // namespace vmscope::cli
