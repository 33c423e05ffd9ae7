// Renders analyses as text, JSON, Markdown and HTML (SARIF: report_sarif.cpp).
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
    {"timing_dependent", &Classification::timing_dependent},
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
  if (c.timing_dependent.value) s += ", timing-dependent";
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
    for (const auto& c : a.instructions)
      if (c.timing_dependent.value) o << "timing-dependent: " << c.instruction << ": " << c.timing_dependent.why << "\n";
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
  o << "| instruction | privileged | control | mode | location | resource | sensitive | critical | user-sensitive | timing |"
    << (guest ? " guest-critical |" : "") << "\n";
  o << "|---|---|---|---|---|---|---|---|---|---|" << (guest ? "---|" : "") << "\n";
  auto yn = [](const Property& p) { return p.value ? "yes" : ""; };
  for (const auto& c : a.instructions)
    if (in.explain.empty() || c.instruction == in.explain)
      o << "| " << c.instruction << " | " << yn(c.privileged) << " | " << yn(c.control_sensitive) << " | "
        << yn(c.mode_sensitive) << " | " << yn(c.location_sensitive) << " | " << yn(c.resource_sensitive) << " | "
        << yn(c.sensitive) << " | " << (c.critical.value ? "**yes**" : "") << " | " << yn(c.user_sensitive) << " | "
        << yn(c.timing_dependent) << " |"
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

namespace {

std::string html(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// The debugger's colours for the classes (ui-imgui/panels/analyzer_panel.cpp), as cell backgrounds.
constexpr const char* kHtmlStyle = R"(<style>
body { font-family: "DejaVu Sans", sans-serif; margin: 2em; color: #1a1a1a; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; }
th { background: #2b2b2b; color: #fff; }
td.critical { background: #ff6666; font-weight: bold; }
td.sensitive { background: #73b3ff; }
td.innocuous { color: #777; }
td.yes { text-align: center; }
.holds { color: #1e7b34; font-weight: bold; }
.fails { color: #c0392b; font-weight: bold; }
code { background: #f2f2f2; padding: 0 0.2em; }
</style>
)";

void html_description(std::ostringstream& o, const ReportInput& in) {
  const Spec& spec = *in.spec;
  const Analysis& a = in.analysis;
  const bool guest = !spec.guest_modes.empty();
  o << "<h2>" << html(spec.name) << "</h2>\n<p><code>" << html(spec.file) << "</code>; user mode "
    << html(spec.user_mode) << ", supervisor mode " << html(spec.supervisor_mode);
  if (guest) o << ", guest modes " << html(mode_list(spec.guest_modes));
  o << "; settings: " << html(describe_assignment(a.settings)) << "</p>\n<table>\n<tr><th>instruction</th><th>class</th>"
    << "<th>privileged</th><th>control</th><th>mode</th><th>location</th><th>resource</th><th>user-sensitive</th>"
    << "<th>timing</th>"
    << (guest ? "<th>guest-critical</th>" : "") << "</tr>\n";
  auto yes = [](const Property& p) { return std::string("<td class=\"yes\">") + (p.value ? "&#10003;" : "") + "</td>"; };
  for (const Classification& c : a.instructions) {
    if (!in.explain.empty() && c.instruction != in.explain) continue;
    const char* cls = c.critical.value ? "critical" : c.sensitive.value ? "sensitive" : "innocuous";
    o << "<tr><td>" << html(c.instruction) << "</td><td class=\"" << cls << "\" title=\""
      << html(c.critical.value ? c.critical.why : c.sensitive.why) << "\">" << html(verdict(c)) << "</td>"
      << yes(c.privileged) << yes(c.control_sensitive) << yes(c.mode_sensitive) << yes(c.location_sensitive)
      << yes(c.resource_sensitive) << yes(c.user_sensitive) << yes(c.timing_dependent)
      << (guest ? yes(c.guest_critical) : "") << "</tr>\n";
  }
  o << "</table>\n<ul>\n";
  auto verdict_item = [&](const std::string& name, bool holds, const std::string& why) {
    o << "<li>" << html(name) << ": <span class=\"" << (holds ? "holds\">holds" : "fails\">does not hold")
      << "</span> &mdash; " << html(why) << "</li>\n";
  };
  for (const Theorem* t : {&a.theorem1, &a.theorem2, &a.theorem3})
    verdict_item("Theorem " + std::to_string(t->number), t->holds, t->explanation);
  if (a.guest_condition)
    verdict_item("Guest modes " + mode_list(spec.guest_modes), a.guest_condition->holds, a.guest_condition->explanation);
  o << "</ul>\n";
  if (in.search)
    o << "<p>Search: Theorem 1 holds in " << in.search->holding << " of " << in.search->combinations
      << " combinations of settings.</p>\n";
  if (!spec.sources.empty()) {
    o << "<p>Sources:</p>\n<ul>\n";
    for (const auto& s : spec.sources) {
      o << "<li><code>" << html(s.id) << "</code>: " << html(s.citation);
      if (!s.url.empty()) o << " &lt;<a href=\"" << html(s.url) << "\">" << html(s.url) << "</a>&gt;";
      o << "</li>\n";
    }
    o << "</ul>\n";
  }
}

}  // namespace

std::string report_html(const std::vector<ReportInput>& inputs) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<title>vmscope analyze: Popek and Goldberg's theorems</title>\n" << kHtmlStyle << "</head>\n<body>\n"
    << "<h1>Popek and Goldberg's theorems</h1>\n"
    << "<p>Colours: <span style=\"background:#ff6666\">critical</span> (sensitive, not privileged), "
    << "<span style=\"background:#73b3ff\">sensitive</span> (and privileged), innocuous in grey. "
    << "<em>Timing</em>: reads a clock where the guest runs, which P&amp;G's equivalence allows.</p>\n";
  for (const ReportInput& in : inputs) html_description(o, in);
  o << "</body>\n</html>\n";
  return o.str();
}

}  // namespace vmscope::analyzer
