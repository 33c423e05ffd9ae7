// The host terminal as a system guest's serial console, as `qemu-system-* -nographic` makes it:
// while stdin is a terminal, keys reach the guest as typed — no line editing, no echo but the
// guest's own, Ctrl-C included — and Ctrl-A starts a command for vmscope: x ends the run, h
// lists the commands, a second Ctrl-A sends one to the guest. The terminal's settings come back
// however vmscope ends (normally, exit(), or a termination signal).
#pragma once

#include <string>
#include <string_view>

namespace vmscope::cli {

// What the escape key sequence means, apart from the terminal (testable without one).
class ConsoleEscapes {
 public:
  static constexpr char kEscape = 0x01;  // Ctrl-A
  // The bytes for the guest out of what was typed; help text for the user goes to `notice`.
  std::string filter(std::string_view typed, std::string& notice);
  bool quit_requested() const { return quit_; }

 private:
  bool pending_ = false;  // Ctrl-A typed, its command not yet
  bool quit_ = false;
};

class ConsoleTerminal {
 public:
  explicit ConsoleTerminal(bool wanted);  // raw only when wanted and stdin is a terminal
  ~ConsoleTerminal();
  ConsoleTerminal(const ConsoleTerminal&) = delete;
  ConsoleTerminal& operator=(const ConsoleTerminal&) = delete;
  bool raw() const { return raw_; }

 private:
  bool raw_ = false;
};

}  // namespace vmscope::cli
