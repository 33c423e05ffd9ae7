// The definitions of Popek & Goldberg (1974), applied to the facts of a description.
#include "classify.h"

#include <algorithm>
#include <set>

namespace vmscope::analyzer {

namespace {

std::string classes(const std::set<StateClass>& s, bool control_only) {
  std::string out;
  for (StateClass c : s) {
    if (control_only && !is_control_write(c)) continue;
    out += (out.empty() ? "" : ", ") + std::string(state_class_name(c));
  }
  return out;
}

std::string where(const Fact& f, const std::string& mode) {
  std::string s = "in mode " + mode;
  if (!f.when.empty()) s += " (when " + describe_assignment(f.when) + ")";
  s += " [fact at line " + std::to_string(f.pos.line) + "]";
  return s;
}

bool same_behaviour(const Fact& a, const Fact& b) {
  return a.reads == b.reads && a.writes == b.writes && a.effect == b.effect;
}

std::string behaviour(const Fact& f) {
  std::string s = f.effect.empty() ? "" : f.effect + "; ";
  s += "reads {" + classes(f.reads, false) + "}, writes {" + classes(f.writes, false) + "}";
  return s;
}

}  // namespace

std::string describe_assignment(const Assignment& a) {
  std::string s;
  for (const auto& [k, v] : a) s += (s.empty() ? "" : ", ") + k + "=" + v;
  return s.empty() ? "no settings" : s;
}

Classification classify(const Spec& spec, const Instruction& in, const Assignment& a) {
  Classification c;
  c.instruction = in.name;
  const std::string& U = spec.user_mode;
  const std::string& S = spec.supervisor_mode;
  const Fact* fu = applicable_fact(in, U, a);
  const Fact* fs = applicable_fact(in, S, a);

  // Privileged: traps in user mode, does not trap in supervisor mode.
  if (!fu->traps) c.privileged = {false, "does not trap " + where(*fu, U)};
  else if (fs->traps) c.privileged = {false, "traps " + where(*fu, U) + " but also " + where(*fs, S) +
                                                 ": a privileged instruction must not trap in supervisor mode"};
  else c.privileged = {true, "traps " + where(*fu, U) + " and does not trap " + where(*fs, S)};

  // Examine every mode in which it does not trap.
  std::vector<std::pair<std::string, const Fact*>> running;
  for (const std::string& m : spec.modes) {
    if (spec.is_guest_mode(m)) continue;  // the guest modes have their own condition (below)
    const Fact* f = applicable_fact(in, m, a);
    if (!f->traps) running.emplace_back(m, f);
  }
  for (const auto& [m, f] : running) {
    std::set<StateClass> w;
    for (StateClass s : f->writes)
      if (is_control_write(s)) w.insert(s);
    if (!w.empty() && !c.control_sensitive.value)
      c.control_sensitive = {true, "writes " + classes(w, true) + " state without trapping " + where(*f, m)};
    if (f->reads.count(StateClass::mode) && !c.mode_sensitive.value)
      c.mode_sensitive = {true, "reads the mode without trapping " + where(*f, m)};
    if (f->reads.count(StateClass::relocation) && !c.location_sensitive.value)
      c.location_sensitive = {true, "reads relocation state without trapping " + where(*f, m)};
    std::set<StateClass> r;
    for (StateClass s : f->reads)
      if (s == StateClass::interrupts || s == StateClass::control) r.insert(s);
    if (!r.empty() && !c.resource_sensitive.value)
      c.resource_sensitive = {true, "reads " + classes(r, true) + " state without trapping " + where(*f, m)};
  }
  // Mode-sensitive also when two modes in which it runs give different results.
  for (size_t i = 0; i < running.size() && !c.mode_sensitive.value; ++i)
    for (size_t j = i + 1; j < running.size() && !c.mode_sensitive.value; ++j)
      if (!same_behaviour(*running[i].second, *running[j].second))
        c.mode_sensitive = {true, "behaves differently " + where(*running[i].second, running[i].first) + " (" +
                                      behaviour(*running[i].second) + ") and " +
                                      where(*running[j].second, running[j].first) + " (" +
                                      behaviour(*running[j].second) + "), trapping in neither"};
  if (!c.control_sensitive.value)
    c.control_sensitive.why = running.empty() ? "traps in every mode" : "writes no mode, relocation, interrupt, control or time state in a mode where it does not trap";
  if (!c.mode_sensitive.value) c.mode_sensitive.why = "behaves the same in every mode in which it does not trap and does not read the mode";
  if (!c.location_sensitive.value) c.location_sensitive.why = "reads no relocation state in a mode where it does not trap";
  if (!c.resource_sensitive.value) c.resource_sensitive.why = "reads no interrupt or control state in a mode where it does not trap";

  for (const Property* p : {&c.mode_sensitive, &c.location_sensitive, &c.resource_sensitive})
    if (p->value && !c.behaviour_sensitive.value) c.behaviour_sensitive = {true, p->why};
  if (!c.behaviour_sensitive.value) c.behaviour_sensitive.why = "neither mode-, location- nor resource-sensitive";

  if (c.control_sensitive.value) c.sensitive = {true, "control-sensitive: " + c.control_sensitive.why};
  else if (c.behaviour_sensitive.value) c.sensitive = {true, "behaviour-sensitive: " + c.behaviour_sensitive.why};
  else c.sensitive = {false, "neither control- nor behaviour-sensitive"};
  c.innocuous = {!c.sensitive.value, c.sensitive.value ? "sensitive: " + c.sensitive.why : c.sensitive.why};
  if (c.sensitive.value && !c.privileged.value)
    c.critical = {true, "sensitive (" + c.sensitive.why + ") but not privileged (" + c.privileged.why + ")"};
  else if (!c.sensitive.value)
    c.critical = {false, "not sensitive"};
  else
    c.critical = {false, "sensitive but privileged (" + c.privileged.why + ")"};

  // User-sensitive: control- or location/resource-sensitive when executed in user mode.
  if (fu->traps) {
    c.user_sensitive = {false, "traps " + where(*fu, U)};
  } else {
    std::set<StateClass> w, r;
    for (StateClass s : fu->writes)
      if (is_control_write(s)) w.insert(s);
    for (StateClass s : fu->reads)
      if (s != StateClass::mode && is_control_state(s)) r.insert(s);
    if (!w.empty()) c.user_sensitive = {true, "writes " + classes(w, true) + " state without trapping " + where(*fu, U)};
    else if (!r.empty()) c.user_sensitive = {true, "reads " + classes(r, true) + " state without trapping " + where(*fu, U)};
    else c.user_sensitive = {false, "in user mode it neither writes control state nor reads relocation, interrupt or control state " + where(*fu, U)};
  }

  // Timing: a clock read where the guest runs (user mode, under a VMM).
  if (!fu->traps && fu->reads.count(StateClass::time))
    c.timing_dependent = {true, "reads time state without trapping " + where(*fu, U) +
                                    ": not sensitive, since P&G's equivalence allows differences caused by timing"};
  else
    c.timing_dependent = {false, fu->traps ? "traps " + where(*fu, U) : "reads no time state " + where(*fu, U)};

  // Guest modes: what runs there without trapping to the VMM must touch only the guest's state.
  if (!spec.guest_modes.empty()) {
    c.guest_critical = {false, "in every guest mode it traps to the VMM or touches only registers, memory and "
                               "the state the hardware keeps per guest"};
    for (const std::string& g : spec.guest_modes) {
      const Fact* f = applicable_fact(in, g, a);
      if (f->traps) continue;
      std::set<StateClass> w, r;
      for (StateClass s : f->writes)
        if (is_control_write(s)) w.insert(s);
      for (StateClass s : f->reads)
        if (is_control_state(s)) r.insert(s);  // (the machine's clock read by a guest: timing)
      if (!w.empty()) c.guest_critical = {true, "writes the machine's " + classes(w, true) + " state without trapping " + where(*f, g)};
      else if (!r.empty()) c.guest_critical = {true, "reads the machine's " + classes(r, true) + " state without trapping " + where(*f, g)};
      if (c.guest_critical.value) break;
    }
  }
  return c;
}

Analysis analyze(const Spec& spec, const Assignment& a) {
  Analysis r;
  r.settings = a;
  for (const Instruction& in : spec.instructions) r.instructions.push_back(classify(spec, in, a));
  std::vector<std::string> critical, user;
  for (const auto& c : r.instructions) {
    if (c.critical.value) critical.push_back(c.instruction);
    if (c.user_sensitive.value && !c.privileged.value) user.push_back(c.instruction);
    if (c.timing_dependent.value) r.timing_dependent.push_back(c.instruction);
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  // Timing-dependent instructions are exempt by P&G's equivalence property; Theorem 2 assumes a
  // VMM that does not depend on timing, and these are how a guest would see the VMM's timing.
  const std::string timing = r.timing_dependent.empty() ? ""
      : ". Timing-dependent, so not counted (P&G's equivalence allows differences caused by timing): " +
            list(r.timing_dependent);
  r.theorem1 = {1, critical.empty(), critical, ""};
  r.theorem1.explanation = (critical.empty()
      ? "every sensitive instruction is privileged, so a VMM can be built (Theorem 1's condition is sufficient)"
      : "Theorem 1's condition does not hold; this does not prove that no VMM exists (the condition is "
        "sufficient, not necessary). Sensitive but unprivileged (critical): " + list(critical)) + timing;
  r.theorem2 = {2, critical.empty(), critical, ""};
  r.theorem2.explanation = critical.empty()
      ? "Theorem 1 holds, so the machine is recursively virtualizable, assuming (as the theorem requires) "
        "that a VMM without timing dependencies can be built for it" +
            (r.timing_dependent.empty() ? std::string()
                                        : "; a guest reads the clock, and so the VMM's timing, through " +
                                              list(r.timing_dependent))
      : "Theorem 1's condition does not hold, so Theorem 2 does not apply; this does not prove that the "
        "machine cannot be virtualized recursively. Critical: " + list(critical);
  r.theorem3 = {3, user.empty(), user, ""};
  if (!spec.guest_modes.empty()) {
    std::vector<std::string> guest;
    for (const auto& c : r.instructions)
      if (c.guest_critical.value) guest.push_back(c.instruction);
    std::string modes;
    for (const auto& m : spec.guest_modes) modes += (modes.empty() ? "" : ", ") + m;
    Theorem g{0, guest.empty(), guest, ""};
    g.explanation = guest.empty()
        ? "with the guest in " + modes + ", every instruction that would read or write the machine's own mode, "
          "relocation, interrupt or control state traps to the VMM, and the rest touch only state the hardware keeps "
          "per guest: a VMM can run the guest kernel directly in " + spec.guest_modes.front() +
          " (Theorem 1's condition, for a hardware-assisted machine)"
        : "with the guest in " + modes + ", these run without trapping and touch the machine's own state, so a VMM "
          "cannot run the guest kernel directly there (the condition is sufficient, not necessary). Guest-critical: " +
          list(guest);
    r.guest_condition = g;
  }
  r.theorem3.explanation = user.empty()
      ? "every user-sensitive instruction is privileged, so a hybrid VM can be built (the condition is sufficient)"
      : "Theorem 3's condition does not hold; this does not prove that no hybrid VM exists. User-sensitive but "
        "unprivileged: " + list(user);
  return r;
}

SearchResult search(const Spec& spec) {
  SearchResult r;
  const std::vector<Assignment> all = all_assignments(spec);
  r.combinations = all.size();
  // Per combination only the verdicts the search needs (whole analyses of thousands of
  // combinations would hold every explanation in memory at once).
  struct Verdicts {
    bool theorem1 = false, guest = false;
    std::vector<bool> critical, guest_critical;
  };
  std::vector<Verdicts> results;
  results.reserve(all.size());
  for (const auto& a : all) {
    const Analysis full = analyze(spec, a);
    Verdicts v{full.theorem1.holds, full.guest_condition && full.guest_condition->holds, {}, {}};
    for (const Classification& c : full.instructions) {
      v.critical.push_back(c.critical.value);
      v.guest_critical.push_back(c.guest_critical.value);
    }
    results.push_back(std::move(v));
  }
  // all_assignments() enumerates in mixed radix, the last setting fastest: combination i has
  // value (i / stride[k]) % size[k] of setting k.
  const size_t count = spec.settings.size();
  std::vector<size_t> stride(count, 1);
  for (size_t k = count; k-- > 1;) stride[k - 1] = stride[k] * spec.settings[k].values.size();
  auto t1 = [&](size_t i) { return results[i].theorem1; };
  // Does changing setting k alone ever change f (of a combination's index)?
  auto relevant_for = [&](auto&& f) {
    std::set<std::string> rel;
    for (size_t k = 0; k < count; ++k) {
      const size_t size = spec.settings[k].values.size();
      bool changes = false;
      for (size_t i = 0; i < all.size() && !changes; ++i) {
        const size_t base = i - (i / stride[k]) % size * stride[k];
        for (size_t v = 0; v < size && !changes; ++v) changes = f(base + v * stride[k]) != f(i);
      }
      if (changes) rel.insert(spec.settings[k].name);
    }
    return rel;
  };
  auto project = [](const Assignment& a, const std::set<std::string>& keep) {
    Assignment p;
    for (const auto& [k, v] : a)
      if (keep.count(k)) p[k] = v;
    return p;
  };
  // Appends `p` to `list` unless already there (in first-seen order; `seen` makes it quick).
  auto add_once = [](std::vector<Assignment>& list, std::set<Assignment>& seen, Assignment p) {
    if (seen.insert(p).second) list.push_back(std::move(p));
  };
  const std::set<std::string> rel = relevant_for(t1);
  for (const Setting& s : spec.settings) (rel.count(s.name) ? r.relevant : r.irrelevant).push_back(s.name);
  std::set<Assignment> seen;
  for (size_t i = 0; i < all.size(); ++i) {
    if (!results[i].theorem1) continue;
    ++r.holding;
    add_once(r.holding_projected, seen, project(all[i], rel));
  }
  // Per instruction: always, or under which values of the settings that matter to it.
  auto conditions = [&](auto&& is_critical, std::vector<CriticalCondition>& out) {
    for (size_t n = 0; n < spec.instructions.size(); ++n) {
      size_t count = 0;
      for (const Verdicts& res : results) count += is_critical(res, n);
      if (count == 0) continue;
      CriticalCondition cc;
      cc.instruction = spec.instructions[n].name;
      cc.always = count == all.size();
      if (!cc.always) {
        const std::set<std::string> mine =
            relevant_for([&](size_t i) { return is_critical(results[i], n); });
        std::set<Assignment> seen_when;
        for (size_t i = 0; i < all.size(); ++i)
          if (is_critical(results[i], n)) add_once(cc.when, seen_when, project(all[i], mine));
      }
      out.push_back(std::move(cc));
    }
  };
  conditions([](const Verdicts& v, size_t n) { return v.critical[n]; }, r.critical);
  if (!spec.guest_modes.empty()) {
    auto guest = [&](size_t i) { return results[i].guest; };
    const std::set<std::string> guest_rel = relevant_for(guest);
    std::set<Assignment> seen_guest;
    for (size_t i = 0; i < all.size(); ++i) {
      if (!results[i].guest) continue;
      ++r.guest_holding;
      add_once(r.guest_holding_projected, seen_guest, project(all[i], guest_rel));
    }
    conditions([](const Verdicts& v, size_t n) { return v.guest_critical[n]; }, r.guest_critical);
  }
  return r;
}

}  // namespace vmscope::analyzer
