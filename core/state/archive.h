// A machine's state as bytes, for snapshots and their files. Each component lists its fields
// once, in a `transfer_state(Archive&)` template that both saves and loads (the archive idea of
// boost.serialization), so the two directions cannot drift apart. Values are written field by
// field in little-endian order (no struct padding, the same bytes natively and in WebAssembly),
// and hash maps in key order, so equal states give equal bytes: tests compare states that way.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vmscope {

class StateWriter {
 public:
  static constexpr bool kLoading = false;
  template <typename... T>
  void operator()(const T&... values) {
    (put(values), ...);
  }
  void raw(const void* data, size_t size) {
    if (size > bytes_.size() - used_) bytes_.resize(std::max(2 * bytes_.size(), used_ + size + 4096));
    if (size) std::memcpy(bytes_.data() + used_, data, size);
    used_ += size;
  }
  std::span<const uint8_t> bytes() const { return {bytes_.data(), used_}; }
  std::vector<uint8_t> take() {
    bytes_.resize(used_);
    used_ = 0;
    return std::move(bytes_);
  }
  // The reader's checks, so that one transfer_state serves both directions.
  bool plausible(uint64_t, size_t) const { return true; }
  void fail() const {}
  bool failed() const { return false; }

 private:
  template <typename T>
  void put(const T& v);
  std::vector<uint8_t> bytes_;  // bytes_[0, used_) written; the rest is room to grow
  size_t used_ = 0;
};

// Reads what a StateWriter wrote. Never reads past the end: a truncated or corrupt input sets
// `failed()` and yields zeros from then on (callers check once, at the end).
class StateReader {
 public:
  static constexpr bool kLoading = true;
  explicit StateReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  template <typename... T>
  void operator()(T&... values) {
    (get(values), ...);
  }
  bool raw(void* data, size_t size) {
    if (size == 0) return !failed_;  // (an empty container's data() may be null)
    if (failed_ || size > bytes_.size() - pos_) {
      failed_ = true;
      std::memset(data, 0, size);
      return false;
    }
    std::memcpy(data, bytes_.data() + pos_, size);
    pos_ += size;
    return true;
  }
  // A count read from the input is plausible if that many items of at least `item_bytes` fit.
  bool plausible(uint64_t count, size_t item_bytes) {
    if (count > (bytes_.size() - pos_) / (item_bytes ? item_bytes : 1)) failed_ = true;
    return !failed_;
  }
  void fail() { failed_ = true; }
  bool failed() const { return failed_; }
  bool at_end() const { return pos_ == bytes_.size(); }
  size_t position() const { return pos_; }

 private:
  template <typename T>
  void get(T& v);
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
  bool failed_ = false;
};

// Components opt in with a member `template <class Ar> void transfer_state(Ar&)` or a free
// function `transfer_state(Ar&, T&)` found by lookup; plain values, enums and the standard
// containers below are built in.
template <typename T>
concept MemberTransfer = requires(T& t, StateWriter& w) { t.transfer_state(w); };

namespace state_detail {
template <typename T>
inline constexpr bool kScalar = std::is_arithmetic_v<T> || std::is_enum_v<T>;

template <typename T>
void put_scalar(StateWriter& w, T v) {
  if constexpr (std::is_same_v<T, bool>) {
    const uint8_t b = v ? 1 : 0;
    w.raw(&b, 1);
  } else {
    static_assert(std::endian::native == std::endian::little, "states are little-endian");
    w.raw(&v, sizeof v);
  }
}
template <typename T>
void get_scalar(StateReader& r, T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    uint8_t b = 0;
    r.raw(&b, 1);
    if (b > 1) r.fail();
    v = b != 0;
  } else {
    r.raw(&v, sizeof v);
  }
}
}  // namespace state_detail

// ---- standard containers
template <class Ar, typename T, size_t N>
void transfer_state(Ar& ar, std::array<T, N>& a) {
  for (T& v : a) ar(v);
}

template <class Ar>
void transfer_state(Ar& ar, std::string& s) {
  uint64_t n = s.size();
  ar(n);
  if constexpr (Ar::kLoading) {
    if (!ar.plausible(n, 1)) return;
    s.resize(n);
  }
  ar.raw(s.data(), n);
}

template <class Ar, typename Seq>
void transfer_sequence(Ar& ar, Seq& seq) {
  uint64_t n = seq.size();
  ar(n);
  if constexpr (Ar::kLoading) {
    if (!ar.plausible(n, 1)) return;
    seq.clear();
    seq.resize(n);
  }
  for (auto& v : seq) ar(v);
}
template <class Ar, typename T>
void transfer_state(Ar& ar, std::vector<T>& v) {
  if constexpr (std::is_same_v<T, uint8_t>) {
    uint64_t n = v.size();
    ar(n);
    if constexpr (Ar::kLoading) {
      if (!ar.plausible(n, 1)) return;
      v.resize(n);
    }
    ar.raw(v.data(), n);
  } else {
    transfer_sequence(ar, v);
  }
}
template <class Ar, typename T>
void transfer_state(Ar& ar, std::deque<T>& d) {
  transfer_sequence(ar, d);
}

template <class Ar, typename A, typename B>
void transfer_state(Ar& ar, std::pair<A, B>& p) {
  ar(p.first, p.second);
}

// Hash maps in key order, so that equal maps give equal bytes.
template <class Ar, typename K, typename V>
void transfer_state(Ar& ar, std::unordered_map<K, V>& m) {
  if constexpr (Ar::kLoading) {
    uint64_t n = 0;
    ar(n);
    if (!ar.plausible(n, 1)) return;
    m.clear();
    for (uint64_t i = 0; i < n && !ar.failed(); ++i) {
      K k{};
      ar(k);
      ar(m[k]);
    }
  } else {
    std::map<K, V*> sorted;
    for (auto& [k, v] : m) sorted.emplace(k, &v);
    uint64_t n = sorted.size();
    ar(n);
    for (auto& [k, v] : sorted) ar(k, *v);
  }
}

template <typename T>
void StateWriter::put(const T& v) {
  if constexpr (state_detail::kScalar<T>) {
    state_detail::put_scalar(*this, v);
  } else if constexpr (MemberTransfer<T>) {
    const_cast<T&>(v).transfer_state(*this);
  } else {
    transfer_state(*this, const_cast<T&>(v));
  }
}

template <typename T>
void StateReader::get(T& v) {
  if constexpr (state_detail::kScalar<T>) {
    state_detail::get_scalar(*this, v);
  } else if constexpr (MemberTransfer<T>) {
    v.transfer_state(*this);
  } else {
    transfer_state(*this, v);
  }
}

}  // namespace vmscope
