// `--dir HOST[:GUEST][:rw]`: a host folder the process VM's guest may use, read into memory when
// the run starts (machine/guest_files.h) and, with :rw, written back when it ends. Host I/O lives
// here, in the front end; the core only ever sees the copy.
#pragma once

#include <optional>
#include <string>

#include "machine/guest_files.h"

namespace vmscope::cli {

// Reads the folder a --dir option names. Symbolic links are followed when they lead to a file
// inside the folder and left out otherwise (said on stderr); other special files are left out.
// nullopt (the reason printed) for a folder that cannot be read or is too large.
std::optional<GuestDirectory> read_guest_directory(const std::string& spec);

// Makes the host folder hold what the guest left in its tree: new and changed files written,
// new folders made, files and folders the guest removed removed. False (said on stderr) if any
// step failed.
bool write_back_guest_directory(const std::string& host, const std::vector<GuestFileEntry>& now);

// The host folder of a --dir option.
std::string host_folder_of(const std::string& spec);

}  // namespace vmscope::cli
