#include "machine/guest_files.h"

#include <algorithm>

namespace vmscope {

using namespace guest_errno;

void GuestFiles::clear() {
  nodes_.clear();
  mounts_.clear();
  next_inode_ = 2;
  Node root;
  root.directory = true;
  root.mode = 0755;
  root.inode = 1;
  nodes_["/"] = root;
}

void GuestFiles::mount(const GuestDirectory& dir) {
  if (nodes_.empty()) clear();
  const std::string top = resolve("/", dir.guest_path).value_or("/");
  // The folders leading to it (read-only, as "/" is), then the folder itself.
  std::string at;
  for (size_t i = 1; i <= top.size(); ++i) {
    if (i == top.size() || top[i] == '/') {
      at = top.substr(0, i);
      if (!nodes_.count(at)) nodes_[at] = Node{true, false, 0755, next_inode_++, {}};
    }
  }
  Node& root = nodes_[top];
  root.directory = true;
  root.writable = dir.writable;
  for (const GuestFileEntry& e : dir.entries) {
    const std::string path = top == "/" ? "/" + e.path : top + "/" + e.path;
    nodes_[path] = Node{e.directory, dir.writable, e.mode & 07777, next_inode_++, e.data};
  }
  mounts_.push_back({top, dir.writable, {}});
}

std::optional<std::string> GuestFiles::resolve(std::string_view base, std::string_view path) {
  std::vector<std::string_view> parts;
  auto add = [&parts](std::string_view text) {
    size_t i = 0;
    while (i <= text.size()) {
      const size_t j = std::min(text.find('/', i), text.size());
      const std::string_view part = text.substr(i, j - i);
      if (part == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      i = j + 1;
    }
  };
  if (path.empty() || path[0] != '/') add(base);
  add(path);
  std::string out;
  for (std::string_view p : parts) (out += '/') += p;
  if (out.empty()) out = "/";
  if (out.size() > kMaxPath) return std::nullopt;
  return out;
}

const GuestFiles::Node* GuestFiles::find(const std::string& path) const {
  const auto it = nodes_.find(path);
  return it == nodes_.end() ? nullptr : &it->second;
}

GuestFiles::Node* GuestFiles::find(const std::string& path) {
  const auto it = nodes_.find(path);
  return it == nodes_.end() ? nullptr : &it->second;
}

int GuestFiles::missing(const std::string& path) const {
  for (std::string at = parent_of(path); at != "/"; at = parent_of(at))
    if (const Node* n = find(at)) return n->directory ? -kNoent : -kNotdir;
  return -kNoent;
}

std::string GuestFiles::parent_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::vector<std::string> GuestFiles::list(const std::string& folder) const {
  std::vector<std::string> names;
  const std::string prefix = folder == "/" ? "/" : folder + "/";
  for (const auto& [path, node] : nodes_) {
    if (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
        path.find('/', prefix.size()) == std::string::npos)
      names.push_back(path.substr(prefix.size()));
  }
  std::sort(names.begin(), names.end());
  return names;
}

int GuestFiles::check_new(const std::string& path) {
  if (path == "/") return -kExist;
  const Node* parent = find(parent_of(path));
  if (!parent) return missing(parent_of(path) + "/x");
  if (!parent->directory) return -kNotdir;
  if (find(path)) return -kExist;
  if (!parent->writable) return -kRofs;
  return 0;
}

int GuestFiles::create_file(const std::string& path, uint32_t mode) {
  if (const int problem = check_new(path)) return problem;
  nodes_[path] = Node{false, true, mode & 07777, next_inode_++, {}};
  return 0;
}

int GuestFiles::make_directory(const std::string& path, uint32_t mode) {
  if (const int problem = check_new(path)) return problem;
  nodes_[path] = Node{true, true, mode & 07777, next_inode_++, {}};
  return 0;
}

int GuestFiles::remove(const std::string& path, bool directory) {
  const Node* node = find(path);
  if (!node) return missing(path);
  if (path == "/") return -kAcces;
  if (directory && !node->directory) return -kNotdir;
  if (!directory && node->directory) return -kIsdir;
  if (!find(parent_of(path))->writable) return -kRofs;
  if (directory && !list(path).empty()) return -kNotempty;
  nodes_.erase(path);
  return 0;
}

int GuestFiles::rename(const std::string& from, const std::string& to) {
  const Node* source = find(from);
  if (!source) return missing(from);
  if (from == "/" || to == "/") return -kAcces;
  if (from == to) return 0;
  if (to.compare(0, from.size() + 1, from + "/") == 0) return -kInval;  // into itself
  if (!find(parent_of(from))->writable) return -kRofs;
  const Node* parent = find(parent_of(to));
  if (!parent) return -kNoent;
  if (!parent->directory) return -kNotdir;
  if (!parent->writable) return -kRofs;
  if (const Node* target = find(to)) {
    if (target->directory && !source->directory) return -kIsdir;
    if (!target->directory && source->directory) return -kNotdir;
    if (target->directory && !list(to).empty()) return -kNotempty;
  }
  // The node and, for a folder, everything under it move to the new path.
  std::vector<std::pair<std::string, Node>> moved;
  const std::string prefix = from + "/";
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    if (it->first == from || it->first.compare(0, prefix.size(), prefix) == 0) {
      moved.emplace_back(to + it->first.substr(from.size()), std::move(it->second));
      it = nodes_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [path, node] : moved) nodes_[path] = std::move(node);
  return 0;
}

std::vector<GuestFileEntry> GuestFiles::contents(const std::string& guest_path) const {
  std::vector<GuestFileEntry> out;
  const std::string prefix = guest_path == "/" ? "/" : guest_path + "/";
  for (const auto& [path, node] : nodes_) {
    if (path.size() <= prefix.size() || path.compare(0, prefix.size(), prefix) != 0) continue;
    out.push_back({path.substr(prefix.size()), node.directory, node.data, node.mode});
  }
  std::sort(out.begin(), out.end(), [](const GuestFileEntry& a, const GuestFileEntry& b) { return a.path < b.path; });
  return out;
}

}  // namespace vmscope
