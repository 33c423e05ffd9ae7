// Exception and interrupt causes (mcause codes) and their names.
#pragma once

#include <cstdint>

namespace vmscope {

// mcause exception codes (privileged spec 1.12, table 3.6).
enum class ExceptionCause : uint8_t {
  misaligned_fetch = 0,
  fetch_access = 1,
  illegal_instruction = 2,
  breakpoint = 3,
  misaligned_load = 4,
  load_access = 5,
  misaligned_store = 6,
  store_access = 7,
  ecall_u = 8,
  ecall_s = 9,
  ecall_m = 11,
  fetch_page_fault = 12,
  load_page_fault = 13,
  store_page_fault = 15,
  // The hypervisor extension's.
  ecall_vs = 10,
  fetch_guest_page_fault = 20,
  load_guest_page_fault = 21,
  virtual_instruction = 22,
  store_guest_page_fault = 23,
};

// mcause interrupt codes.
enum class InterruptCause : uint8_t {
  supervisor_software = 1,
  machine_software = 3,
  supervisor_timer = 5,
  machine_timer = 7,
  supervisor_external = 9,
  machine_external = 11,
  virtual_supervisor_software = 2,
  virtual_supervisor_timer = 6,
  virtual_supervisor_external = 10,
  supervisor_guest_external = 12,
};

const char* exception_name(unsigned code);
const char* interrupt_name(unsigned code);

}  // namespace vmscope
