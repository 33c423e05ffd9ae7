// The process VM's files: folders the user granted (`--dir HOST[:GUEST][:rw]`), copied into an
// in-memory tree when the run starts. The guest reaches nothing else: paths resolve inside the
// tree only (`..` stops at its root; the host's symbolic links were followed, or left out, when
// the folder was read, never at run time), and its changes live in the tree — part of the
// machine's state, so snapshots and time travel cover them — until the front end writes a
// writable folder's tree back to the host when the run ends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vmscope {

// One file or folder of a granted folder, as the front end read it from the host.
struct GuestFileEntry {
  std::string path;  // relative to the folder, '/'-separated, no "." or ".." parts
  bool directory = false;
  std::vector<uint8_t> data;
  uint32_t mode = 0644;  // permission bits
};

struct GuestDirectory {
  std::string guest_path = "/";  // where the guest sees it: absolute
  bool writable = false;
  std::vector<GuestFileEntry> entries;
};

// Linux errno values the tree answers with.
namespace guest_errno {
inline constexpr int kNoent = 2, kExist = 17, kNotdir = 20, kIsdir = 21, kInval = 22, kRofs = 30,
                     kNametoolong = 36, kNotempty = 39, kAcces = 13;
}

class GuestFiles {
 public:
  struct Node {
    bool directory = false;
    bool writable = false;  // in a folder granted with :rw
    uint32_t mode = 0644;
    uint64_t inode = 0;
    std::vector<uint8_t> data;

    template <class Ar>
    void transfer_state(Ar& ar) {
      ar(directory, writable, mode, inode, data);
    }
  };
  static constexpr size_t kMaxPath = 4096;

  // Empty: only "/" (read-only). Mounting creates the guest path's folders as needed.
  void clear();
  void mount(const GuestDirectory& dir);
  bool empty() const { return nodes_.size() <= 1; }

  // An absolute, normalized path for `path` seen from the folder `base` ("." and ".." resolved,
  // ".." at the root staying there); nullopt when too long.
  static std::optional<std::string> resolve(std::string_view base, std::string_view path);
  const Node* find(const std::string& path) const;
  Node* find(const std::string& path);
  // Why a path is not there: -ENOTDIR when a folder on the way is a file, else -ENOENT.
  int missing(const std::string& path) const;
  // Names in a folder, sorted (the same order every run).
  std::vector<std::string> list(const std::string& folder) const;

  // 0 or a negative errno.
  int create_file(const std::string& path, uint32_t mode);
  int make_directory(const std::string& path, uint32_t mode);
  int remove(const std::string& path, bool directory);
  int rename(const std::string& from, const std::string& to);

  // A writable folder's tree as it is now, for the front end to write back.
  std::vector<GuestFileEntry> contents(const std::string& guest_path) const;
  const std::vector<GuestDirectory>& mounts() const { return mounts_; }

  template <class Ar>
  void transfer_state(Ar& ar) {
    ar(nodes_, next_inode_);
  }

 private:
  static std::string parent_of(const std::string& path);
  int check_new(const std::string& path);  // the parent exists, is a folder, writable; the name is free

  std::unordered_map<std::string, Node> nodes_;  // by absolute path; "/" always there
  std::vector<GuestDirectory> mounts_;           // (what was granted, without the bytes)
  uint64_t next_inode_ = 2;
};

}  // namespace vmscope
