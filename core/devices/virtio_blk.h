// virtio-blk (OASIS virtio 1.2, §5.2, device ID 2) over the virtio-mmio transport: a disk of
// 512-byte sectors backed by an image the host gives. The image itself is never changed: what
// the guest writes goes to an overlay of written sectors (part of the machine's state, so
// snapshots, time travel and migration carry it); `on_write` lets the host write through to the
// image's file as well (`--drive FILE:rw`). Requests: read (IN), write (OUT), flush, get-id.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "devices/virtio_mmio.h"

namespace vmscope {

// A disk image's bytes, shared read-only between machines (and snapshots) that use it.
using DiskBytes = std::shared_ptr<const std::vector<uint8_t>>;
inline constexpr uint32_t kSectorSize = 512;
// Why an image cannot be a disk (empty, or not whole sectors), or "" when it can.
std::string disk_image_problem(size_t size);

class VirtioBlock : public VirtioDeviceType {
 public:
  static constexpr uint64_t kFeatureSegMax = 1u << 2, kFeatureBlkSize = 1u << 6, kFeatureFlush = 1u << 9;
  static constexpr uint32_t kSegMax = 126;  // data segments per request, as QEMU offers
  enum RequestType : uint32_t { kIn = 0, kOut = 1, kFlush = 4, kGetId = 8 };
  enum Status : uint8_t { kOk = 0, kIoError = 1, kUnsupported = 2 };

  explicit VirtioBlock(DiskBytes image) : image_(std::move(image)) {}
  const char* name() const override { return "virtio-blk"; }
  uint32_t device_id() const override { return 2; }
  uint64_t features() const override { return kFeatureSegMax | kFeatureBlkSize | kFeatureFlush; }
  unsigned queues() const override { return 1; }
  uint8_t config_read(uint32_t offset) const override;
  void notified(VirtioMmio& transport, unsigned q) override;

  uint64_t sectors() const { return image_->size() / kSectorSize; }
  // The disk as the guest sees it now (the image with the overlay's sectors).
  void read_sectors(uint64_t sector, uint8_t* out, uint32_t count) const;
  std::vector<uint8_t> contents() const;  // the whole disk, for a download
  size_t overlay_sectors() const { return overlay_.size(); }
  void power_on() { overlay_.clear(), counts_ = {}; }

  // Sectors the guest wrote (after the overlay has them): a host writing through to a file.
  std::function<void(uint64_t sector, const uint8_t* data, uint32_t count)> on_write;
  // Each request as it completes: type, first sector, sectors, status (for the event timeline).
  std::function<void(uint32_t type, uint64_t sector, uint32_t count, uint8_t status)> on_request;

  struct Counts {
    uint64_t reads = 0, writes = 0, flushes = 0, other = 0, errors = 0;
    uint64_t bytes_read = 0, bytes_written = 0;
  };
  const Counts& counts() const { return counts_; }

  template <class Ar>
  void transfer_state(Ar& ar) {
    ar(overlay_, counts_.reads, counts_.writes, counts_.flushes, counts_.other, counts_.errors, counts_.bytes_read,
       counts_.bytes_written);
  }

 private:
  uint8_t serve(const VirtioChain& chain, uint32_t& written);
  DiskBytes image_;
  std::unordered_map<uint64_t, std::vector<uint8_t>> overlay_;  // sector -> its 512 bytes
  Counts counts_;
};

}  // namespace vmscope
