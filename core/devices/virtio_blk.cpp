// virtio-blk requests (virtio_blk.h): a 16-byte header (type, reserved, sector), the data, and
// a status byte as the chain's last writable byte (§5.2.6).
#include "devices/virtio_blk.h"

#include <algorithm>
#include <cstring>

namespace vmscope {

namespace {
// A chain's scattered parts as one stream of bytes.
class Parts {
 public:
  explicit Parts(const std::vector<VirtioChain::Part>& parts) : parts_(parts) {
    for (const VirtioChain::Part& p : parts) size_ += p.length;
  }
  uint64_t size() const { return size_; }
  void copy_out(uint64_t offset, uint8_t* out, uint64_t length) const { visit(offset, length, out, nullptr); }
  void copy_in(uint64_t offset, const uint8_t* in, uint64_t length) const { visit(offset, length, nullptr, in); }

 private:
  void visit(uint64_t offset, uint64_t length, uint8_t* out, const uint8_t* in) const {
    for (const VirtioChain::Part& p : parts_) {
      if (length == 0) return;
      if (offset >= p.length) {
        offset -= p.length;
        continue;
      }
      const uint64_t n = std::min<uint64_t>(length, p.length - offset);
      if (out) std::memcpy(out, p.data + offset, n), out += n;
      else std::memcpy(p.data + offset, in, n), in += n;
      length -= n;
      offset = 0;
    }
  }
  const std::vector<VirtioChain::Part>& parts_;
  uint64_t size_ = 0;
};
}  // namespace

std::string disk_image_problem(size_t size) {
  if (size == 0) return "the image is empty";
  if (size % kSectorSize)
    return "its size (" + std::to_string(size) + " bytes) is not a whole number of 512-byte sectors";
  return "";
}

uint8_t VirtioBlock::config_read(uint32_t offset) const {
  uint8_t config[24] = {};
  const uint64_t capacity = sectors();
  for (int i = 0; i < 8; ++i) config[i] = static_cast<uint8_t>(capacity >> (8 * i));
  for (int i = 0; i < 4; ++i) config[12 + i] = static_cast<uint8_t>(kSegMax >> (8 * i));     // seg_max
  for (int i = 0; i < 4; ++i) config[20 + i] = static_cast<uint8_t>(kSectorSize >> (8 * i));  // blk_size
  return offset < sizeof config ? config[offset] : 0;
}

void VirtioBlock::read_sectors(uint64_t sector, uint8_t* out, uint32_t count) const {
  for (uint32_t i = 0; i < count; ++i, out += kSectorSize) {
    const auto it = overlay_.find(sector + i);
    const uint8_t* from = it != overlay_.end() ? it->second.data() : image_->data() + (sector + i) * kSectorSize;
    std::memcpy(out, from, kSectorSize);
  }
}

std::vector<uint8_t> VirtioBlock::contents() const {
  std::vector<uint8_t> disk(*image_);
  disk.resize(sectors() * kSectorSize);
  for (const auto& [sector, data] : overlay_) std::memcpy(disk.data() + sector * kSectorSize, data.data(), kSectorSize);
  return disk;
}

void VirtioBlock::notified(VirtioMmio& t, unsigned q) {
  while (std::optional<VirtioChain> c = t.pop(q)) {
    uint32_t written = 0;
    serve(*c, written);
    t.push_used(q, c->head, written);
  }
}

// Serves one request; `written` is what the device wrote into the chain (data and status).
uint8_t VirtioBlock::serve(const VirtioChain& chain, uint32_t& written) {
  const Parts in(chain.readable), out(chain.writable);
  if (out.size() == 0) {  // nowhere to put the status: nothing can be answered
    ++counts_.errors;
    return kIoError;
  }
  const uint64_t status_at = out.size() - 1;
  uint8_t header[16] = {};
  uint32_t type = ~0u;
  uint64_t sector = 0;
  if (in.size() >= sizeof header) {
    in.copy_out(0, header, sizeof header);
    type = header[0] | header[1] << 8 | header[2] << 16 | static_cast<uint32_t>(header[3]) << 24;
    for (int i = 7; i >= 0; --i) sector = sector << 8 | header[8 + i];
  }
  uint8_t status = kOk;
  uint32_t count = 0;
  switch (type) {
    case kIn: {
      const uint64_t bytes = status_at / kSectorSize * kSectorSize;
      count = static_cast<uint32_t>(bytes / kSectorSize);
      if (status_at % kSectorSize || sector > sectors() || count > sectors() - sector) {
        status = kIoError;
        break;
      }
      std::vector<uint8_t> data(bytes);
      read_sectors(sector, data.data(), count);
      out.copy_in(0, data.data(), bytes);
      written = static_cast<uint32_t>(bytes);
      ++counts_.reads;
      counts_.bytes_read += bytes;
      break;
    }
    case kOut: {
      const uint64_t bytes = in.size() - sizeof header;
      count = static_cast<uint32_t>(bytes / kSectorSize);
      if (bytes % kSectorSize || sector > sectors() || count > sectors() - sector) {
        status = kIoError;
        break;
      }
      std::vector<uint8_t> data(bytes);
      in.copy_out(sizeof header, data.data(), bytes);
      for (uint32_t i = 0; i < count; ++i)
        overlay_[sector + i].assign(data.begin() + i * kSectorSize, data.begin() + (i + 1) * kSectorSize);
      if (on_write && count) on_write(sector, data.data(), count);
      ++counts_.writes;
      counts_.bytes_written += bytes;
      break;
    }
    case kFlush: ++counts_.flushes; break;
    case kGetId: {  // a 20-byte serial number, NUL-padded
      char id[20] = "vmscope-disk";
      const uint64_t n = std::min<uint64_t>(sizeof id, status_at);
      out.copy_in(0, reinterpret_cast<const uint8_t*>(id), n);
      written = static_cast<uint32_t>(n);
      ++counts_.other;
      break;
    }
    default: status = kUnsupported, ++counts_.other; break;
  }
  if (status != kOk) ++counts_.errors;
  out.copy_in(status_at, &status, 1);
  ++written;
  if (on_request) on_request(type, sector, count, status);
  return status;
}

}  // namespace vmscope
