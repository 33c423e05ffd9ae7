// `vmscope compare-ways`: one guest kernel run to the end in every way vmscope can run it
// (compare/comparison.h), its figures side by side, and whether every way printed the same.
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "compare/comparison.h"
#include "exit_codes.h"

namespace vmscope::cli {

namespace {
bool load(const std::string& path, std::vector<uint8_t>& bytes, int& failure) {
  if (!read_file(path, bytes)) {
    std::fprintf(stderr, "vmscope: cannot read '%s'\n", path.c_str());
    failure = kCannotRead;
    return false;
  }
  const ElfResult parsed = parse_elf(bytes, path);
  if (!parsed.ok()) {
    std::fprintf(stderr, "vmscope: %s\n", parsed.message.c_str());
    failure = exit_code_for_elf_error(static_cast<int>(parsed.error));
    return false;
  }
  if (guess_machine_kind(parsed.image) != MachineKind::system) {
    std::fprintf(stderr, "vmscope: %s is not a kernel for the board (its entry point is not in its RAM)\n", path.c_str());
    failure = kUsage;
    return false;
  }
  return true;
}
}  // namespace

int compare_ways_command(const CompareWaysOptions& o) {
  int failure = 0;
  std::vector<uint8_t> kernel, pv;
  if (!load(o.kernel, kernel, failure)) return failure;
  if (is_paravirtual_kernel(parse_elf(kernel, o.kernel).image)) {
    std::fprintf(stderr, "vmscope: %s is a paravirtual build: give the native kernel (its -pv build is found beside it)\n",
                 o.kernel.c_str());
    return kUsage;
  }
  MachineOptions base;
  base.engine = o.engine;
  const std::filesystem::path k(o.kernel);
  std::vector<RunSpec> ways;
  if (o.consoles) {
    base.virtualization = o.virt;
    base.hypervisor = base.virtualization == Virtualization::hardware_assisted;
    ways = consoles_to_run(kernel, k.filename().string(), base);
  } else {
    // The paravirtual build: --pv, or NAME-pv.elf beside the kernel.
    std::string pv_path = o.pv;
    if (pv_path.empty()) {
      const std::filesystem::path beside = k.parent_path() / (k.stem().string() + "-pv" + k.extension().string());
      if (std::filesystem::exists(beside)) pv_path = beside.string();
    }
    if (!pv_path.empty()) {
      if (!load(pv_path, pv, failure)) return failure;
      if (!is_paravirtual_kernel(parse_elf(pv, pv_path).image)) {
        std::fprintf(stderr, "vmscope: %s is not a paravirtual kernel (it has no pv_shared page)\n", pv_path.c_str());
        return kUsage;
      }
    } else {
      std::fprintf(stderr, "vmscope: no paravirtual build beside %s (NAME-pv.elf, or --pv FILE): compared without it\n",
                   o.kernel.c_str());
    }
    ways = ways_to_run(kernel, k.filename().string(), pv, std::filesystem::path(pv_path).filename().string(), base);
  }
  const Comparison c = compare_runs(ways, o.max_insns ? o.max_insns : 300'000'000);

  std::printf("%s, run to the end in %zu ways (%s):\n", o.kernel.c_str(), c.runs.size(), to_string(base.engine));
  for (size_t i = 0; i < c.runs.size(); ++i)
    std::printf("  %c = %s (%s)\n", static_cast<char>('A' + i), c.runs[i].label.c_str(), c.runs[i].program.c_str());
  std::printf("%-48s", "");
  for (size_t i = 0; i < c.runs.size(); ++i) std::printf(" %12c", static_cast<char>('A' + i));
  std::printf("\n");
  for (size_t row = 0; row < c.runs[0].counters.size(); ++row) {
    bool any = false;
    for (const RunFigures& r : c.runs) any |= r.counters[row].second != 0;
    if (!any) continue;
    std::printf("%-48s", c.runs[0].counters[row].first.c_str());
    for (const RunFigures& r : c.runs) std::printf(" %12llu", static_cast<unsigned long long>(r.counters[row].second));
    std::printf("\n");
  }
  // Exits per console byte (consoles), or against trap-and-emulate's (B), the classic way's cost.
  if (o.consoles) {
    std::printf("%-48s", "monitor exits per console byte");
    for (const RunFigures& r : c.runs) {
      const uint64_t bytes = r.counter("console bytes");
      const uint64_t console_exits = r.counter("  of them SBI console calls (DBCN)") + r.counter("  device register accesses emulated");
      std::printf(" %12.3f", bytes ? static_cast<double>(console_exits) / static_cast<double>(bytes) : 0.0);
    }
    std::printf("\n");
  }
  const uint64_t te = !o.consoles && c.runs.size() > 1 ? c.runs[1].counter("monitor exits") : 0;
  if (te) {
    std::printf("%-48s", "monitor exits / trap-and-emulate's (B)");
    for (const RunFigures& r : c.runs) std::printf(" %12.3f", static_cast<double>(r.counter("monitor exits")) / static_cast<double>(te));
    std::printf("\n");
  }
  bool agree = true;
  for (const RunFigures& r : c.runs) {
    const bool same = r.reason == StopReason::exited && r.exit_code == c.runs[0].exit_code && r.output == c.runs[0].output;
    if (!same)
      std::printf("%s: %s\n", r.label.c_str(),
                  r.reason != StopReason::exited ? "did not run to its end"
                  : r.exit_code != c.runs[0].exit_code ? "ended with another exit code than A"
                                                       : "printed something else than A");
    agree &= same;
  }
  if (agree) std::printf("every way printed the same console output and ended with exit code %d\n", c.runs[0].exit_code);
  return agree ? 0 : kWaysDisagree;
}

}  // namespace vmscope::cli
