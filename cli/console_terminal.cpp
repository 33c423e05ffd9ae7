#include "console_terminal.h"

#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

namespace vmscope::cli {

std::string ConsoleEscapes::filter(std::string_view typed, std::string& notice) {
  std::string to_guest;
  for (const char c : typed) {
    if (quit_) break;
    if (!pending_) {
      if (c == kEscape) pending_ = true;
      else to_guest += c;
      continue;
    }
    pending_ = false;
    switch (c) {
      case 'x': case 'X': quit_ = true; break;
      case kEscape: to_guest += kEscape; break;
      case 'h': case 'H': case '?':
        notice += "\r\nvmscope console: Ctrl-A x  end the run\r\n"
                  "                 Ctrl-A h  this help\r\n"
                  "                 Ctrl-A Ctrl-A  send Ctrl-A to the guest\r\n";
        break;
      default: break;  // (an unknown command does nothing, as in QEMU)
    }
  }
  return to_guest;
}

namespace {
termios saved_settings;
bool settings_saved = false;

void restore_terminal() {
  if (settings_saved) tcsetattr(0, TCSAFLUSH, &saved_settings);
}

void restore_and_reraise(int signal) {
  restore_terminal();
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}
}  // namespace

ConsoleTerminal::ConsoleTerminal(bool wanted) {
  if (!wanted || !isatty(0) || tcgetattr(0, &saved_settings) != 0) return;
  termios raw = saved_settings;
  // Input as typed: no line editing or echo, no signals from Ctrl-C/Ctrl-Z, CR not made NL (a
  // serial line sends CR for Enter). Output keeps its NL -> CRNL so the guest's lines start at
  // the left.
  raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | ISIG | IEXTEN);
  raw.c_iflag &= ~static_cast<tcflag_t>(ICRNL | INLCR | IGNCR | IXON | ISTRIP);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  if (!settings_saved) {
    std::atexit(restore_terminal);
    for (const int s : {SIGTERM, SIGHUP, SIGQUIT}) std::signal(s, restore_and_reraise);
  }
  settings_saved = true;
  raw_ = tcsetattr(0, TCSAFLUSH, &raw) == 0;
}

ConsoleTerminal::~ConsoleTerminal() {
  if (raw_) restore_terminal();
}

}  // namespace vmscope::cli
