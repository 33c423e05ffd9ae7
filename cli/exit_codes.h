// vmscope's own exit codes. They sit in 109..126 so they rarely collide with a guest's
// exit code, which vmscope passes through unchanged when the guest exits by itself.
#pragma once

namespace vmscope::cli {

enum ExitCode : int {
  kBadDiskImage = 109,      // --drive: an image that cannot be a disk (empty, not whole 512-byte sectors)
  kUsage = 110,             // bad command line
  kCannotRead = 111,        // the program file cannot be opened or read
  kBadElf = 112,            // not an ELF, truncated, malformed headers or segments
  kWrongArchitecture = 113, // an ELF for another machine, class, ABI, or not an executable
  kBadLayout = 114,         // segments outside the machine's memory
  kGuestFault = 115,        // process VM: an exception nobody handles (like SIGSEGV/SIGILL)
  kInstructionLimit = 116,  // --max-insns reached before the guest exited
  kUnsupported = 117,       // the guest asked for a system call (or HTIF command) vmscope does not provide
  kTrapLoop = 118,          // exceptions forever without progress (jump into nothing, ...)
  kIdleForever = 119,       // WFI with nothing that could ever wake the hart
  kCheckFailed = 120,       // --check-shadows: the monitor's shadow page tables went wrong
  kLockstepMismatch = 121,  // --lockstep: the translator and the interpreter disagree
  kBadRecording = 122,      // a recording or snapshot file that is damaged, truncated or not one
  kReplayDiverged = 123,    // a replay did not end as the recording did
  kWaysDisagree = 124,      // compare-ways: the ways did not all print the same and end alike
  kMigrationFailed = 125,   // --migrate: the migration was refused or went wrong (the guest ran on at the source)
  kGdbKilled = 126,         // --gdb: gdb ended the run (kill) before the guest did
  kBadDirectory = 127,      // --dir: a folder that cannot be read or is too large, or its changes could not be written back
};

// What each code means, for --help and the README's table (a test checks they agree).
struct ExitCodeMeaning {
  ExitCode code;
  const char* meaning;
};
inline constexpr ExitCodeMeaning kExitCodeMeanings[] = {
    {kBadDiskImage, "--drive: an image that cannot be a disk (empty, or not whole 512-byte sectors)"},
    {kUsage, "bad command line"},
    {kCannotRead, "the program file cannot be read"},
    {kBadElf, "not an ELF, truncated, malformed headers or segments"},
    {kWrongArchitecture, "an ELF for another machine/class/ABI, or not an executable"},
    {kBadLayout, "segments outside the machine's memory"},
    {kGuestFault, "process VM: an exception nobody handles (like SIGSEGV/SIGILL)"},
    {kInstructionLimit, "--max-insns reached"},
    {kUnsupported, "an unsupported system call or HTIF command"},
    {kTrapLoop, "a trap loop: exceptions without a single instruction retiring"},
    {kIdleForever, "WFI with nothing that could ever wake the hart"},
    {kCheckFailed, "--check-shadows: the monitor's shadow page tables disagreed with the guest's"},
    {kLockstepMismatch, "--lockstep: the translator and the interpreter disagree"},
    {kBadRecording, "vmscope replay: a recording or snapshot file that is damaged, truncated or not one"},
    {kReplayDiverged, "vmscope replay: the replay did not end as the recorded run did"},
    {kWaysDisagree, "vmscope compare-ways: the ways did not all print the same and end alike"},
    {kMigrationFailed, "--migrate-at: the migration was refused or went wrong (the guest ran on at the source)"},
    {kGdbKilled, "--gdb: gdb ended the run (kill) before the guest did"},
    {kBadDirectory, "--dir: a folder that cannot be read or is too large, or the guest's changes could not be written back"},
};

}  // namespace vmscope::cli
