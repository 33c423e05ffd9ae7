// A system call of the process VM as strace prints it: the name, the arguments decoded by their
// kind (paths and buffers read from guest memory, flags by name) and the result, an error as
// "-1 ENOENT (No such file or directory)". `vmscope run --strace` prints these lines and the
// debugger's System calls panel lists them.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace vmscope {

class Bus;

// Formats the call `number` with arguments a0..a5 and its result (what a0 holds after it; the
// buffers a call filled are read then).
std::string strace_line(const Bus& bus, uint32_t number, const std::array<uint32_t, 6>& args, int32_t result);

// The Linux name of a system call number of rv32 (null if vmscope does not know it).
const char* linux_syscall_name(uint32_t number);

}  // namespace vmscope
