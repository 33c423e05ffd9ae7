#include "guest_directories.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <system_error>

namespace vmscope::cli {

namespace fs = std::filesystem;

namespace {
constexpr uint64_t kMaxBytes = uint64_t{256} << 20;  // the whole tree: it lives in memory, in every snapshot
constexpr size_t kMaxEntries = 100000;

struct Spec {
  std::string host, guest;
  bool writable = false;
};

Spec parse(const std::string& spec) {
  Spec s;
  std::string rest = spec;
  if (rest.size() > 3 && rest.ends_with(":rw")) {
    s.writable = true;
    rest.resize(rest.size() - 3);
  }
  const size_t colon = rest.find(':');
  s.host = rest.substr(0, colon);
  if (colon != std::string::npos) s.guest = rest.substr(colon + 1);
  if (s.guest.empty()) s.guest = "/" + fs::path(s.host).lexically_normal().filename().string();
  return s;
}

bool read_bytes(const fs::path& p, std::vector<uint8_t>& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}
}  // namespace

std::string host_folder_of(const std::string& spec) { return parse(spec).host; }

std::optional<GuestDirectory> read_guest_directory(const std::string& spec) {
  const Spec s = parse(spec);
  std::error_code ec;
  const fs::path root = fs::canonical(s.host, ec);
  if (ec || !fs::is_directory(root, ec)) {
    std::fprintf(stderr, "vmscope: --dir %s: '%s' is not a folder that can be read\n", spec.c_str(), s.host.c_str());
    return std::nullopt;
  }
  if (s.guest[0] != '/') {
    std::fprintf(stderr, "vmscope: --dir %s: the guest path '%s' must start with /\n", spec.c_str(), s.guest.c_str());
    return std::nullopt;
  }
  GuestDirectory dir;
  dir.guest_path = s.guest;
  dir.writable = s.writable;
  uint64_t bytes = 0;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    const std::string relative = p.lexically_relative(root).generic_string();
    fs::path source = p;
    if (it->is_symlink(ec)) {
      const fs::path target = fs::weakly_canonical(p, ec);
      const std::string inside = target.lexically_relative(root).generic_string();
      if (ec || inside.empty() || inside.rfind("..", 0) == 0 || !fs::is_regular_file(target, ec)) {
        std::fprintf(stderr, "vmscope: --dir %s: left out %s (a symbolic link that does not lead to a file inside the folder)\n",
                     spec.c_str(), relative.c_str());
        continue;
      }
      source = target;
    }
    GuestFileEntry e;
    e.path = relative;
    const fs::file_status status = fs::status(source, ec);
    e.mode = static_cast<uint32_t>(status.permissions()) & 07777;
    if (fs::is_directory(status)) {
      e.directory = true;
    } else if (fs::is_regular_file(status)) {
      if (!read_bytes(source, e.data)) {
        std::fprintf(stderr, "vmscope: --dir %s: cannot read %s\n", spec.c_str(), relative.c_str());
        return std::nullopt;
      }
      bytes += e.data.size();
    } else {
      std::fprintf(stderr, "vmscope: --dir %s: left out %s (not a file or a folder)\n", spec.c_str(), relative.c_str());
      continue;
    }
    dir.entries.push_back(std::move(e));
    if (bytes > kMaxBytes || dir.entries.size() > kMaxEntries) {
      std::fprintf(stderr, "vmscope: --dir %s: too large (at most %llu MiB in %zu files and folders: the guest's tree is kept in memory)\n",
                   spec.c_str(), static_cast<unsigned long long>(kMaxBytes >> 20), kMaxEntries);
      return std::nullopt;
    }
  }
  if (ec) {
    std::fprintf(stderr, "vmscope: --dir %s: cannot read the folder: %s\n", spec.c_str(), ec.message().c_str());
    return std::nullopt;
  }
  return dir;
}

bool write_back_guest_directory(const std::string& host, const std::vector<GuestFileEntry>& now) {
  std::error_code ec;
  const fs::path root = fs::canonical(host, ec);
  if (ec) {
    std::fprintf(stderr, "vmscope: --dir %s:rw: the folder is gone; the guest's changes are lost\n", host.c_str());
    return false;
  }
  bool ok = true;
  std::set<std::string> kept;
  for (const GuestFileEntry& e : now) {  // (sorted: a folder comes before what it holds)
    kept.insert(e.path);
    const fs::path p = root / e.path;
    if (e.directory) {
      if (!fs::is_directory(p, ec)) {
        fs::remove(p, ec);
        ok &= fs::create_directory(p, ec) || fs::is_directory(p, ec);
      }
      continue;
    }
    std::vector<uint8_t> before;
    if (fs::is_symlink(p, ec) || !fs::is_regular_file(p, ec) || !read_bytes(p, before) || before != e.data) {
      if (fs::is_symlink(p, ec)) continue;  // (a link the guest saw as a file: its target is not written through it)
      std::ofstream out(p, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(e.data.data()), static_cast<std::streamsize>(e.data.size()));
      ok &= static_cast<bool>(out);
    }
  }
  // What the guest removed: deepest first.
  std::vector<fs::path> gone;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string relative = it->path().lexically_relative(root).generic_string();
    if (!kept.count(relative) && !it->is_symlink(ec)) gone.push_back(it->path());
  }
  for (auto it = gone.rbegin(); it != gone.rend(); ++it) fs::remove_all(*it, ec);
  if (!ok) std::fprintf(stderr, "vmscope: --dir %s:rw: some of the guest's changes could not be written back\n", host.c_str());
  return ok;
}

}  // namespace vmscope::cli
