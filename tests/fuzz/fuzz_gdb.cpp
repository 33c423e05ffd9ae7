// libFuzzer target: the gdb stub fed random packets. The input is split at newlines into
// payloads that this target frames with correct checksums (so that the fuzzer gets past them to
// what the packets say: registers, memory ranges, breakpoints, monitor commands, resumptions in
// both directions), on a small machine running a loop that stores to memory. Whatever arrives,
// the stub must answer without crashing or touching host memory outside the guest's (ASan/UBSan
// watch it), and a guest it resumes runs only as far as the target lets it.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "gdb/gdb_session.h"
#include "machine/machine.h"

using namespace vmscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  MachineOptions o;
  o.kind = MachineKind::system;
  o.ram_size = 64u << 10;
  static Machine* const machine = new Machine(o);
  machine->bus().clear_ram();
  machine->code_cache().clear();
  // addi t0,t0,1; sw t0,256(zero + gp); j .-8 (gp = RAM's start): a loop with a store.
  const uint32_t program[] = {0x00128293, 0x1051a023, 0xff9ff06f};
  machine->bus().write_bytes(board::kRamBase, std::span(reinterpret_cast<const uint8_t*>(program), sizeof program));
  Hart& h = machine->hart();
  h.reset(board::kRamBase);
  h.set_reg(3, board::kRamBase);
  h.set_breakpoints({});
  h.set_watchpoints({});
  TimeTravelOptions t;
  t.snapshot_interval = 500;
  t.memory_budget = 1u << 20;
  TimeMachine time(*machine, t);
  gdb::Target target(*machine, time);
  gdb::Session session(target);
  std::string payload;
  for (size_t i = 0; i <= size; ++i) {
    if (i < size && data[i] != '\n') {
      payload += static_cast<char>(data[i]);
      continue;
    }
    if (!payload.empty() && payload[0] == '!') session.receive(payload.substr(1));  // raw bytes as they are
    else session.receive(gdb::frame(payload));
    for (int slice = 0; slice < 3 && session.running(); ++slice) session.advance(300);
    if (session.running()) session.receive("\x03");
    payload.clear();
    if (session.ended()) break;
  }
  return 0;
}
