// Renders analyses as text, JSON and Markdown.
#include "report.h"

#include <nlohmann/json.hpp>
#include <sstream>

namespace vmscope::analyzer {

namespace {

using Json = nlohmann::ordered_json;

struct Named {
  const char* key;
  const Property Classification::*p;
};
const Named kProperties[] = {
    {"privileged", &Classification::privileged},
    {"control_sensitive", &Classification::control_sensitive},
    {"mode_sensitive", &Classification::mode_sensitive},
    {"location_sensitive", &Classification::location_sensitive},
    {"resource_sensitive", &Classification::resource_sensitive},
    {"behaviour_sensitive", &Classification::behaviour_sensitive},
    {"sensitive", &Classification::sensitive},
    {"innocuous", &Classification::innocuous},
    {"critical", &Classification::critical},
    {"user_sensitive", &Classification::user_sensitive},
};

std::string verdict(const Classification& c) {
  std::string s = c.critical.value ? "CRITICAL" : c.sensitive.value ? "sensitive, privileged"
                                   : c.privileged.value ? "privileged, innocuous" : "innocuous";
  std::string kinds;
  if (c.control_sensitive.value) kinds += "control";
  if (c.mode_sensitive.value) kinds += std::string(kinds.empty() ? "" : ", ") + "mode";
  if (c.location_sensitive.value) kinds += std::string(kinds.empty() ? "" : ", ") + "location";
  if (c.resource_sensitive.value) kinds += std::string(kinds.empty() ? "" : ", ") + "resource";
  if (!kinds.empty()) s += " (" + kinds + ")";
  if (c.user_sensitive.value) s += ", user-sensitive";
  if (c.guest_critical.value) s += ", GUEST-CRITICAL";
  return s;
}

Json conditions_json(const std::vector<CriticalCondition>& conditions) {
  Json out = Json::array();
  for (const auto& c : conditions) {
    Json k;
    k["name"] = c.instruction;
    k["always"] = c.always;
    k["when"] = Json::array();
    for (const auto& a : c.when) k["when"].push_back(Json(a));
    out.push_back(k);
  }
  return out;
}

std::string mode_list(const std::vector<std::string>& modes) {
  std::string s;
  for (const auto& m : modes) s += (s.empty() ? "" : ", ") + m;
  return s;
}

void guest_condition_text(std::ostringstream& o, const Spec& spec, const Analysis& a) {
  if (!a.guest_condition) return;
  o << "Guest modes " << mode_list(spec.guest_modes) << " [" << (a.guest_condition->holds ? "holds" : "does not hold")
    << "]: " << a.guest_condition->explanation << "\n";
}

void theorem_text(std::ostringstream& o, const Theorem& t) {
  o << "Theorem " << t.number << " [" << (t.holds ? "holds" : "does not hold") << "]: " << t.explanation << "\n";
}

std::string assignment_list(const std::vector<Assignment>& v) {
  std::string s;
  for (const auto& a : v) s += "  - " + describe_assignment(a) + "\n";
  return s;
}

void explain_text(std::ostringstream& o, const Spec& spec, const Classification& c, const Assignment& a) {
  const Instruction* in = spec.find_instruction(c.instruction);
  o << "\n" << in->name << (in->summary.empty() ? "" : " - " + in->summary) << "\n";
  for (const std::string& m : spec.modes) {
    const Fact* f = applicable_fact(*in, m, a);
    o << "  mode " << m << ": ";
    if (f->traps) o << "traps";
    else {
      o << "runs; reads {";
      std::string r, w;
      for (auto s : f->reads) r += (r.empty() ? "" : ", ") + std::string(state_class_name(s));
      for (auto s : f->writes) w += (w.empty() ? "" : ", ") + std::string(state_class_name(s));
      o << r << "}, writes {" << w << "}";
      if (!f->effect.empty()) o << "; " << f->effect;
    }
    o << " [line " << f->pos.line << "]\n";
  }
  for (const auto& n : kProperties) {
    const Property& p = c.*n.p;
    o << "  " << n.key << ": " << (p.value ? "yes" : "no") << " - " << p.why << "\n";
  }
  if (!spec.guest_modes.empty())
    o << "  guest_critical: " << (c.guest_critical.value ? "yes" : "no") << " - " << c.guest_critical.why << "\n";
  o << "  sources:";
  for (const auto& s : in->sources) o << " " << s << ";";
  o << "\n";
}

}  // namespace

std::string report_text(const ReportInput& in) {
  std::ostringstream o;
  const Spec& spec = *in.spec;
  const Analysis& a = in.analysis;
  o << spec.name << " (" << spec.file << ")\n";
  o << "user mode " << spec.user_mode << ", supervisor mode " << spec.supervisor_mode;
  if (!spec.guest_modes.empty()) o << ", guest modes " << mode_list(spec.guest_modes);
  o << "; settings: " << describe_assignment(a.settings) << "\n\n";
  if (!in.explain.empty()) {
    for (const auto& c : a.instructions)
      if (c.instruction == in.explain) explain_text(o, spec, c, a.settings);
    o << "\n";
  } else {
    size_t width = 0;
    for (const auto& c : a.instructions) width = std::max(width, c.instruction.size());
    for (const auto& c : a.instructions)
      o << "  " << c.instruction << std::string(width - c.instruction.size() + 2, ' ') << verdict(c) << "\n";
    o << "\n";
    for (const auto& c : a.instructions)
      if (c.critical.value) o << "critical: " << c.instruction << ": " << c.critical.why << "\n";
    for (const auto& c : a.instructions)
      if (c.user_sensitive.value && !c.privileged.value)
        o << "user-sensitive: " << c.instruction << ": " << c.user_sensitive.why << "\n";
    for (const auto& c : a.instructions)
      if (c.guest_critical.value) o << "guest-critical: " << c.instruction << ": " << c.guest_critical.why << "\n";
    o << "\n";
  }
  theorem_text(o, a.theorem1);
  theorem_text(o, a.theorem2);
  theorem_text(o, a.theorem3);
  guest_condition_text(o, spec, a);
  if (in.search) {
    const SearchResult& s = *in.search;
    o << "\nSearch over all " << s.combinations << " combinations of settings: Theorem 1 holds in " << s.holding
      << ".\n";
    if (!s.irrelevant.empty()) {
      o << "Settings that never change Theorem 1's verdict:";
      for (const auto& n : s.irrelevant) o << " " << n;
      o << "\n";
    }
    if (s.holding) {
      o << "Theorem 1 holds when (other settings: any value):\n" << assignment_list(s.holding_projected);
    } else {
      o << "No combination makes Theorem 1 hold; this does not prove that no VMM exists.\n";
    }
    for (const auto& c : s.critical) {
      if (c.always) o << "always critical: " << c.instruction << "\n";
      else o << "critical when: " << c.instruction << "\n" << assignment_list(c.when);
    }
    if (!spec.guest_modes.empty()) {
      o << "The guest-mode condition (" << mode_list(spec.guest_modes) << ") holds in " << s.guest_holding << " of "
        << s.combinations << " combinations";
      if (s.guest_holding) o << ", when (other settings: any value):\n" << assignment_list(s.guest_holding_projected);
      else o << ".\n";
      for (const auto& c : s.guest_critical) {
        if (c.always) o << "always guest-critical: " << c.instruction << "\n";
        else o << "guest-critical when: " << c.instruction << "\n" << assignment_list(c.when);
      }
    }
  }
  return o.str();
}

std::string report_markdown(const ReportInput& in) {
  std::ostringstream o;
  const Spec& spec = *in.spec;
  const Analysis& a = in.analysis;
  o << "## " << spec.name << "\n\n`" << spec.file << "`; user mode " << spec.user_mode << ", supervisor mode "
    << spec.supervisor_mode << "; settings: " << describe_assignment(a.settings) << "\n\n";
  const bool guest = !spec.guest_modes.empty();
  o << "| instruction | privileged | control | mode | location | resource | sensitive | critical | user-sensitive |"
    << (guest ? " guest-critical |" : "") << "\n";
  o << "|---|---|---|---|---|---|---|---|---|" << (guest ? "---|" : "") << "\n";
  auto yn = [](const Property& p) { return p.value ? "yes" : ""; };
  for (const auto& c : a.instructions)
    if (in.explain.empty() || c.instruction == in.explain)
      o << "| " << c.instruction << " | " << yn(c.privileged) << " | " << yn(c.control_sensitive) << " | "
        << yn(c.mode_sensitive) << " | " << yn(c.location_sensitive) << " | " << yn(c.resource_sensitive) << " | "
        << yn(c.sensitive) << " | " << (c.critical.value ? "**yes**" : "") << " | " << yn(c.user_sensitive) << " |"
        << (guest ? std::string(" ") + (c.guest_critical.value ? "**yes**" : "") + " |" : "") << "\n";
  o << "\n";
  for (const Theorem* t : {&a.theorem1, &a.theorem2, &a.theorem3})
    o << "- **Theorem " << t->number << "**: " << (t->holds ? "holds" : "condition does not hold") << " — "
      << t->explanation << "\n";
  if (a.guest_condition)
    o << "- **Guest modes " << mode_list(spec.guest_modes) << "**: "
      << (a.guest_condition->holds ? "holds" : "condition does not hold") << " — " << a.guest_condition->explanation << "\n";
  if (in.search) {
    o << "\nSearch: Theorem 1 holds in " << in.search->holding << " of " << in.search->combinations
      << " combinations of settings.\n";
  }
  o << "\nSources:\n\n";
  for (const auto& s : spec.sources)
    o << "- `" << s.id << "`: " << s.citation << (s.url.empty() ? "" : " <" + s.url + ">") << "\n";
  return o.str();
}

std::string report_json(const std::vector<ReportInput>& inputs) {
  Json root;
  root["format"] = "vmscope-analyzer/1";
  root["descriptions"] = Json::array();
  for (const ReportInput& in : inputs) {
    const Spec& spec = *in.spec;
    Json d;
    d["file"] = spec.file;
    d["name"] = spec.name;
    d["user_mode"] = spec.user_mode;
    d["supervisor_mode"] = spec.supervisor_mode;
    const bool guest = !spec.guest_modes.empty();
    if (guest) d["guest_modes"] = spec.guest_modes;
    d["settings"] = Json::object();
    for (const auto& [k, v] : in.analysis.settings) d["settings"][k] = v;
    d["instructions"] = Json::array();
    for (const auto& c : in.analysis.instructions) {
      if (!in.explain.empty() && c.instruction != in.explain) continue;
      Json i;
      i["name"] = c.instruction;
      for (const auto& n : kProperties) i[n.key] = (c.*n.p).value;
      if (guest) i["guest_critical"] = c.guest_critical.value;
      Json why = Json::object();
      for (const auto& n : kProperties) why[n.key] = (c.*n.p).why;
      if (guest) why["guest_critical"] = c.guest_critical.why;
      i["explanations"] = why;
      d["instructions"].push_back(i);
    }
    d["theorems"] = Json::array();
    for (const Theorem* t : {&in.analysis.theorem1, &in.analysis.theorem2, &in.analysis.theorem3}) {
      Json j;
      j["number"] = t->number;
      j["holds"] = t->holds;
      j["counterexamples"] = t->counterexamples;
      j["explanation"] = t->explanation;
      d["theorems"].push_back(j);
    }
    if (const auto& g = in.analysis.guest_condition) {
      Json j;
      j["holds"] = g->holds;
      j["counterexamples"] = g->counterexamples;
      j["explanation"] = g->explanation;
      d["guest_condition"] = j;
    }
    if (in.search) {
      const SearchResult& s = *in.search;
      Json j;
      j["combinations"] = s.combinations;
      j["theorem1_holds_in"] = s.holding;
      j["relevant_settings"] = s.relevant;
      j["irrelevant_settings"] = s.irrelevant;
      j["theorem1_holds_when"] = Json::array();
      for (const auto& a : s.holding_projected) j["theorem1_holds_when"].push_back(Json(a));
      j["critical"] = conditions_json(s.critical);
      if (guest) {
        j["guest_condition_holds_in"] = s.guest_holding;
        j["guest_condition_holds_when"] = Json::array();
        for (const auto& a : s.guest_holding_projected) j["guest_condition_holds_when"].push_back(Json(a));
        j["guest_critical"] = conditions_json(s.guest_critical);
      }
      d["search"] = j;
    }
    root["descriptions"].push_back(d);
  }
  return root.dump(2) + "\n";
}

}  // namespace vmscope::analyzer
