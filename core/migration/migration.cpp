// Cold and live (pre-copy) migration (migration.h).
#include "migration/migration.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "migration/stream.h"
#include "vmm/monitor.h"

namespace vmscope::migration {

const char* to_string(Kind k) { return k == Kind::cold ? "cold" : "live"; }

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// The first guest RAM page where the two machines differ, or -1.
int64_t first_difference(const Machine& a, const Machine& b) {
  const GuestRam ra = guest_ram(a), rb = guest_ram(b);
  const uint8_t* pa = a.bus().ram() + (ra.host_base - a.bus().ram_base());
  const uint8_t* pb = b.bus().ram() + (rb.host_base - b.bus().ram_base());
  for (uint32_t p = 0; p < ra.pages; ++p)
    if (std::memcmp(pa + p * kPageSize, pb + p * kPageSize, kPageSize) != 0) return p;
  return -1;
}

}  // namespace

Result migrate(Machine& source, Machine& destination, const Options& o,
               const std::function<void(std::vector<uint8_t>&)>& link) {
  Result r;
  Monitor* monitor = source.monitor();
  if (o.kind == Kind::live && !monitor) {
    r.error = "live migration needs a monitor to keep the dirty log (--virt trap-and-emulate, binary-translation, "
              "paravirtual or hardware-assisted); without one, migrate cold";
    return r;
  }
  const GuestRam ram = guest_ram(source);
  const uint8_t* memory = source.bus().ram() + (ram.host_base - source.bus().ram_base());
  const auto wire_time = [&](uint64_t bytes) {
    return static_cast<uint64_t>(std::ceil(static_cast<double>(bytes) / o.bytes_per_instruction));
  };
  StreamWriter out;
  Incoming in(destination);
  // Sends what `out` holds as `round`; false (with r.error) if the destination rejects it.
  const auto send = [&](Round& round, const Clock::time_point started) {
    std::vector<uint8_t> bytes = out.take();
    round.bytes = bytes.size();
    r.total_bytes += bytes.size();
    r.total_pages += round.pages_sent;
    if (link) link(bytes);
    const bool ok = in.apply(bytes);
    round.host_ms = ms_since(started);
    if (!ok) r.error = in.error();
    return ok;
  };
  const auto send_pages = [&](Round& round, const std::vector<uint32_t>& pages) {
    const uint64_t zero_before = out.zero_pages();
    for (const uint32_t p : pages) {
      const uint64_t zeros = out.zero_pages();
      out.page(p, memory + static_cast<size_t>(p) * kPageSize);
      if (out.zero_pages() == zeros) round.with_data.push_back(p);
    }
    round.pages_sent = pages.size();
    round.zero_pages = out.zero_pages() - zero_before;
  };

  out.header(source);
  std::vector<uint32_t> pages(ram.pages);
  for (uint32_t p = 0; p < ram.pages; ++p) pages[p] = p;

  if (o.kind == Kind::live) {
    // Pre-copy: each round sends what the last one left dirty while the guest runs on.
    monitor->start_dirty_log();
    for (unsigned n = 1;; ++n) {
      Round round;
      round.number = n;
      const auto started = Clock::now();
      send_pages(round, pages);
      if (!send(round, started)) {
        monitor->stop_dirty_log();
        r.rounds.push_back(round);
        return r;
      }
      const uint64_t on_the_wire = wire_time(round.bytes);
      while (round.guest_instructions < on_the_wire) {
        const RunResult run = source.run(on_the_wire - round.guest_instructions);
        round.guest_instructions += run.steps;
        if (run.reason == StopReason::budget) continue;
        if (run.reason == StopReason::idle) break;  // waiting for input: nothing more to run now
        r.guest_ended = true;  // it finished (or failed) before it could move
        r.ended = run;
        monitor->stop_dirty_log();
        r.rounds.push_back(round);
        return r;
      }
      pages = monitor->take_dirty_pages();
      round.pages_dirtied = pages.size();
      round.dirtied = pages;
      r.rounds.push_back(round);
      if (pages.size() <= o.stop_pages || n >= o.max_rounds) break;
    }
    monitor->stop_dirty_log();
  }

  // Stop-and-copy (all of it, when cold): the guest stands still while these bytes travel.
  Round last;
  last.number = static_cast<unsigned>(r.rounds.size()) + 1;
  last.stop_and_copy = true;
  const auto started = Clock::now();
  send_pages(last, pages);
  if (monitor) monitor->drop_translations();  // the destination builds its own: no need to send their bookkeeping
  out.state(source);
  out.end();
  const bool ok = send(last, started);
  last.guest_instructions = wire_time(last.bytes);
  r.downtime_instructions = last.guest_instructions;
  r.downtime_host_ms = last.host_ms;
  r.rounds.push_back(last);
  if (!ok) return r;
  if (!in.complete()) {
    r.error = "migration stream: it ended without its end record (truncated)";
    return r;
  }
  r.dirty_faults = monitor ? monitor->dirty_log_faults() : 0;
  // The guest must find at the destination exactly the memory it left.
  if (const int64_t page = first_difference(source, destination); page >= 0) {
    char where[64];
    std::snprintf(where, sizeof where, "0x%08x", guest_ram(destination).host_base + static_cast<uint32_t>(page) * kPageSize);
    r.error = "guest RAM at the destination differs from the source's at the switch-over (first at host-physical " +
              std::string(where) + "): a write the dirty log missed";
    return r;
  }
  r.memory_identical = true;
  r.switched = true;
  return r;
}

}  // namespace vmscope::migration
