// Turns instruction words into text, matching `riscv64-unknown-elf-objdump -d -M no-aliases`.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace vmscope::isa {

// Names an address for the disassembler: "main", "main+0x1c"; empty when nothing fits.
using AddressNamer = std::function<std::string(uint32_t address)>;

class Disassembler {
 public:
  // `gp` is the value of __global_pointer$ if the program has one: like objdump, gp-relative
  // loads and stores then get a "# address <symbol>" comment.
  explicit Disassembler(AddressNamer namer = {}, std::optional<uint32_t> gp = std::nullopt);

  // "mnemonic\toperands[ # address <symbol>]", or ".4byte\t0x..." / ".2byte\t0x..." for an illegal word.
  // Keeps objdump's memory of lui/auipc results across calls, so disassemble a listing in order.
  std::string disassemble(uint32_t pc, uint32_t word);

  // Forgets the lui/auipc values remembered so far (start of an unrelated listing).
  void reset();

 private:
  void maybe_note_address(unsigned base_reg, int32_t offset);
  std::string format_address(uint32_t address) const;

  AddressNamer namer_;
  std::optional<uint32_t> gp_;
  std::optional<uint32_t> hi_[32];  // register -> value set by lui/auipc/c.lui, until used
  std::optional<uint32_t> note_;    // address for the trailing comment of this instruction
};

}  // namespace vmscope::isa
