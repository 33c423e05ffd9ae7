#include "fact_edit.h"

#include <algorithm>
#include <sstream>
#include <vector>

namespace vmscope::analyzer {

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

std::string joined(const std::vector<std::string>& lines, bool final_newline) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) out += lines[i] + (i + 1 < lines.size() || final_newline ? "\n" : "");
  return out;
}

std::string key_of(const std::string& line) {
  const size_t start = line.find_first_not_of(" \t");
  if (start == std::string::npos || line[start] == '#' || line[start] == '[') return "";
  const size_t eq = line.find('=', start);
  if (eq == std::string::npos) return "";
  std::string key = line.substr(start, eq - start);
  key.erase(key.find_last_not_of(" \t") + 1);
  return key;
}

std::string class_list(const std::set<StateClass>& classes) {
  std::string out;
  for (StateClass c : classes) out += (out.empty() ? "\"" : ", \"") + std::string(state_class_name(c)) + "\"";
  return "[" + out + "]";
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "\"" : ", \"") + n + "\"";
  return "[" + out + "]";
}

// The lines of a fact's body: its `traps`, `reads` and `writes` for `change`.
std::vector<std::string> effect_lines(const FactChange& change) {
  if (change.traps) return {"traps = true"};
  return {"traps = false", "reads = " + class_list(change.reads), "writes = " + class_list(change.writes)};
}

}  // namespace

FactEditResult edit_fact(const std::string& text, const Spec& spec, const std::string& instruction,
                         const std::string& mode, const Assignment& a, const FactChange& change) {
  FactEditResult r;
  const Instruction* in = spec.find_instruction(instruction);
  if (!in) return {"", "no instruction '" + instruction + "'", 0};
  if (std::find(spec.modes.begin(), spec.modes.end(), mode) == spec.modes.end())
    return {"", "no mode '" + mode + "'", 0};
  const Fact* fact = applicable_fact(*in, mode, a);
  if (!fact) return {"", "no fact says what " + instruction + " does in mode " + mode, 0};

  std::vector<std::string> lines = lines_of(text);
  const bool final_newline = !text.empty() && text.back() == '\n';
  const size_t header = static_cast<size_t>(fact->pos.line - 1);  // the [[instruction.fact]] line
  if (header >= lines.size() || lines[header].find("[[instruction.fact]]") == std::string::npos)
    return {"", "the fact for " + instruction + " in mode " + mode + " is not where the description says (line " +
                    std::to_string(fact->pos.line) + ")", 0};
  auto first = [](const std::string& l) {
    const size_t at = l.find_first_not_of(" \t");
    return at == std::string::npos ? '\0' : l[at];
  };
  size_t end = header + 1;  // one past the fact's last line: before the next table, and the
  while (end < lines.size() && first(lines[end]) != '[') ++end;  // blank and comment lines above it
  while (end > header + 1 && (first(lines[end - 1]) == '\0' || first(lines[end - 1]) == '#')) --end;
  for (size_t i = header + 1; i < end; ++i) {
    const std::string key = key_of(lines[i]);
    if ((key == "reads" || key == "writes" || key == "traps" || key == "modes") &&
        std::count(lines[i].begin(), lines[i].end(), '[') != std::count(lines[i].begin(), lines[i].end(), ']'))
      return {"", "the fact at line " + std::to_string(fact->pos.line) + " writes '" + key +
                      "' over several lines: edit it as text", 0};
  }

  const bool shared = fact->modes.size() != 1;
  if (!shared) {  // rewrite this fact's traps/reads/writes in place
    std::vector<std::string> body;
    bool placed = false;
    for (size_t i = header + 1; i < end; ++i) {
      const std::string key = key_of(lines[i]);
      if (key == "traps" || key == "reads" || key == "writes") {
        if (!placed) {
          for (const std::string& l : effect_lines(change)) body.push_back(l);
          placed = true;
        }
        continue;
      }
      body.push_back(lines[i]);
    }
    if (!placed) for (const std::string& l : effect_lines(change)) body.push_back(l);
    lines.erase(lines.begin() + static_cast<long>(header + 1), lines.begin() + static_cast<long>(end));
    lines.insert(lines.begin() + static_cast<long>(header + 1), body.begin(), body.end());
    r.line = fact->pos.line;
  } else {  // split: the other modes keep the fact, `mode` gets its own
    std::vector<std::string> others;
    for (const std::string& m : fact->modes.empty() ? spec.modes : fact->modes)
      if (m != mode) others.push_back(m);
    std::vector<std::string> own = {"", "[[instruction.fact]]", "modes = " + quoted_list({mode})};
    if (!fact->when.empty()) {
      std::string when;
      for (const auto& [k, v] : fact->when) {
        const Setting* s = spec.find_setting(k);
        const bool number = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos &&
                            s && std::all_of(s->values.begin(), s->values.end(), [](const std::string& x) {
                              return !x.empty() && x.find_first_not_of("0123456789") == std::string::npos;
                            });
        when += (when.empty() ? "" : ", ") + std::string("\"") + k + "\" = " + (number ? v : "\"" + v + "\"");
      }
      own.push_back("when = { " + when + " }");
    }
    for (const std::string& l : effect_lines(change)) own.push_back(l);
    own.push_back("note = \"split from the fact at line " + std::to_string(fact->pos.line) + " in the debugger\"");
    lines.insert(lines.begin() + static_cast<long>(end), own.begin(), own.end());
    // The original's modes: rewritten, or added when it had none (all modes).
    bool rewritten = false;
    for (size_t i = header + 1; i < end; ++i)
      if (key_of(lines[i]) == "modes") {
        lines[i] = "modes = " + quoted_list(others);
        rewritten = true;
      }
    if (!rewritten) lines.insert(lines.begin() + static_cast<long>(header + 1), "modes = " + quoted_list(others));
    r.line = static_cast<int>(end + (rewritten ? 0 : 1)) + 2;  // (1-based: after the blank line, the header)
  }
  r.text = joined(lines, final_newline);
  return r;
}

}  // namespace vmscope::analyzer
