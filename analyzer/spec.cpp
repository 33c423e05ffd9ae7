// Reads and validates ISA descriptions (TOML, through toml++).
#include "spec.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

#include <toml++/toml.h>

namespace vmscope::analyzer {

namespace {

const char* const kStateNames[] = {"mode", "relocation", "interrupts", "control", "registers", "memory", "guest", "time"};

Position pos_of(const toml::source_region& r) {
  return Position{static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
}

std::string format_values(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

std::string describe(const Assignment& a, const std::map<std::string, std::string>& only = {}) {
  std::string s;
  for (const auto& [k, v] : a) {
    if (!only.empty() && !only.count(k)) continue;
    s += (s.empty() ? "" : ", ") + k + "=" + v;
  }
  return s.empty() ? "always" : s;
}

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) {}

  void error(Position p, std::string msg) { errors_.push_back(SpecError{file_, p, std::move(msg)}); }
  void error(const toml::node& n, std::string msg) { error(pos_of(n.source()), std::move(msg)); }

  // Reports keys of `t` that are not in `allowed`.
  void check_keys(const toml::table& t, std::initializer_list<const char*> allowed, const char* where) {
    for (auto&& [k, v] : t) {
      bool ok = false;
      for (const char* a : allowed) ok |= k.str() == a;
      if (!ok) error(pos_of(k.source()), "unknown key '" + std::string(k.str()) + "' in " + where);
    }
  }

  std::optional<std::string> get_string(const toml::table& t, const char* key, const toml::node& owner,
                                        bool required) {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) error(owner, std::string("missing '") + key + "'");
      return std::nullopt;
    }
    if (!n->is_string()) {
      error(*n, std::string("'") + key + "' must be a string");
      return std::nullopt;
    }
    return n->as_string()->get();
  }

  std::vector<std::string> get_strings(const toml::table& t, const char* key, bool required,
                                       const toml::node& owner) {
    std::vector<std::string> out;
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) error(owner, std::string("missing '") + key + "'");
      return out;
    }
    const toml::array* a = n->as_array();
    if (!a) {
      error(*n, std::string("'") + key + "' must be an array of strings");
      return out;
    }
    for (const toml::node& e : *a) {
      if (!e.is_string()) error(e, std::string("'") + key + "' must contain strings only");
      else out.push_back(e.as_string()->get());
    }
    return out;
  }

  // A setting value as written in the file: string, integer or boolean -> canonical string.
  std::optional<std::string> value_text(const toml::node& n) {
    if (auto s = n.as_string()) return s->get();
    if (auto i = n.as_integer()) return std::to_string(i->get());
    if (auto b = n.as_boolean()) return b->get() ? "true" : "false";
    error(n, "a setting value must be a string, an integer or a boolean");
    return std::nullopt;
  }

  LoadResult run(const std::string& text) {
    LoadResult result;
    toml::table root;
#if TOML_EXCEPTIONS
    try {
      root = toml::parse(text, file_);
    } catch (const toml::parse_error& e) {
      error(pos_of(e.source()), std::string("syntax error: ") + std::string(e.description()));
      result.errors = errors_;
      return result;
    }
#else  // the WebAssembly build has no exceptions: toml++ returns the error instead
    toml::parse_result parsed = toml::parse(text, file_);
    if (!parsed) {
      error(pos_of(parsed.error().source()), std::string("syntax error: ") + std::string(parsed.error().description()));
      result.errors = errors_;
      return result;
    }
    root = std::move(parsed).table();
#endif
    Spec spec;
    spec.file = file_;
    check_keys(root, {"isa", "source", "setting", "instruction"}, "the description");

    // [isa]
    const toml::table* isa = root["isa"].as_table();
    if (!isa) {
      error(Position{1, 1}, "missing table [isa]");
    } else {
      check_keys(*isa, {"name", "description", "modes", "user_mode", "supervisor_mode", "guest_modes", "oracle"},
                 "[isa]");
      spec.name = get_string(*isa, "name", *isa, true).value_or("");
      spec.oracle = get_string(*isa, "oracle", *isa, false).value_or("");
      if (!spec.oracle.empty() && spec.oracle != "rv32" && spec.oracle != "rv32h")
        error(*isa->get("oracle"), "unknown oracle '" + spec.oracle +
                                       "' (there are: rv32, vmscope's hart; rv32h, the same with the hypervisor extension)");
      spec.description = get_string(*isa, "description", *isa, false).value_or("");
      spec.modes = get_strings(*isa, "modes", true, *isa);
      for (const char* key : {"user_mode", "supervisor_mode"}) {
        auto m = get_string(*isa, key, *isa, true);
        if (!m) continue;
        if (std::find(spec.modes.begin(), spec.modes.end(), *m) == spec.modes.end())
          error(*isa->get(key), "unknown mode '" + *m + "' (modes: " + format_values(spec.modes) + ")");
        (std::string(key) == "user_mode" ? spec.user_mode : spec.supervisor_mode) = *m;
      }
      if (!spec.user_mode.empty() && spec.user_mode == spec.supervisor_mode)
        error(*isa, "user_mode and supervisor_mode must differ");
      if (isa->get("guest_modes")) {
        spec.guest_modes = get_strings(*isa, "guest_modes", true, *isa);
        const toml::node& at = *isa->get("guest_modes");
        if (spec.guest_modes.empty()) error(at, "guest_modes must name at least one mode (or be left out)");
        for (const std::string& m : spec.guest_modes) {
          if (std::find(spec.modes.begin(), spec.modes.end(), m) == spec.modes.end())
            error(at, "unknown mode '" + m + "' in guest_modes (modes: " + format_values(spec.modes) + ")");
          else if (m == spec.user_mode || m == spec.supervisor_mode)
            error(at, "guest mode '" + m + "' cannot also be the user or supervisor mode: the classic theorems "
                      "look at the machine's own modes, the guest-mode condition at the guest's");
          else if (std::count(spec.guest_modes.begin(), spec.guest_modes.end(), m) > 1)
            error(at, "guest mode '" + m + "' is listed twice");
        }
      }
    }

    // [[source]]
    if (const toml::node* n = root.get("source")) {
      const toml::array* arr = n->as_array();
      if (!arr || !arr->is_array_of_tables()) error(*n, "'source' must be an array of tables ([[source]])");
      else
        for (const toml::node& e : *arr) {
          const toml::table& t = *e.as_table();
          check_keys(t, {"id", "citation", "url"}, "[[source]]");
          Source s;
          s.id = get_string(t, "id", t, true).value_or("");
          s.citation = get_string(t, "citation", t, true).value_or("");
          s.url = get_string(t, "url", t, false).value_or("");
          for (const auto& o : spec.sources)
            if (o.id == s.id) error(t, "duplicate source id '" + s.id + "'");
          spec.sources.push_back(s);
        }
    }
    if (spec.sources.empty()) error(Position{1, 1}, "a description must cite at least one [[source]]");

    // [[setting]]
    if (const toml::node* n = root.get("setting")) {
      const toml::array* arr = n->as_array();
      if (!arr || !arr->is_array_of_tables()) error(*n, "'setting' must be an array of tables ([[setting]])");
      else
        for (const toml::node& e : *arr) {
          const toml::table& t = *e.as_table();
          check_keys(t, {"name", "description", "values", "default"}, "[[setting]]");
          Setting s;
          s.pos = pos_of(t.source());
          s.name = get_string(t, "name", t, true).value_or("");
          s.description = get_string(t, "description", t, false).value_or("");
          if (const toml::array* vals = t["values"].as_array()) {
            for (const toml::node& v : *vals)
              if (auto text = value_text(v)) s.values.push_back(*text);
          } else {
            error(t, "a setting needs 'values', an array of its possible values");
          }
          if (s.values.size() < 2) error(t, "setting '" + s.name + "' needs at least two values");
          if (const toml::node* d = t.get("default")) {
            if (auto text = value_text(*d)) {
              s.default_value = *text;
              if (std::find(s.values.begin(), s.values.end(), *text) == s.values.end())
                error(*d, "default '" + *text + "' is not one of the values of '" + s.name + "'");
            }
          } else if (!s.values.empty()) {
            s.default_value = s.values.front();
          }
          if (spec.find_setting(s.name)) error(t, "duplicate setting '" + s.name + "'");
          spec.settings.push_back(s);
        }
    }

    // [[instruction]]
    const toml::node* insns = root.get("instruction");
    const toml::array* iarr = insns ? insns->as_array() : nullptr;
    if (!iarr || !iarr->is_array_of_tables()) {
      if (insns) error(*insns, "'instruction' must be an array of tables ([[instruction]])");
      else error(Position{1, 1}, "a description needs at least one [[instruction]]");
    } else {
      for (const toml::node& e : *iarr) read_instruction(*e.as_table(), spec);
    }

    if (errors_.empty()) check_coverage(spec);
    if (errors_.empty()) result.spec = std::move(spec);
    result.errors = errors_;
    return result;
  }

  void read_instruction(const toml::table& t, Spec& spec) {
    check_keys(t, {"name", "summary", "sources", "forms", "fact"}, "[[instruction]]");
    Instruction in;
    in.pos = pos_of(t.source());
    in.name = get_string(t, "name", t, true).value_or("");
    in.summary = get_string(t, "summary", t, false).value_or("");
    in.forms = get_strings(t, "forms", false, t);
    in.sources = get_strings(t, "sources", true, t);
    if (const toml::array* src = t["sources"].as_array()) {
      if (in.sources.empty()) error(*src, "instruction '" + in.name + "' cites no source");
      for (const toml::node& s : *src) {
        if (!s.is_string()) continue;
        const std::string text = s.as_string()->get();
        const std::string id = text.substr(0, text.find(' '));
        bool found = false;
        for (const auto& o : spec.sources) found |= o.id == id;
        if (!found) error(s, "unknown source '" + id + "' (declare it in a [[source]])");
      }
    }
    if (spec.find_instruction(in.name)) error(t, "duplicate instruction '" + in.name + "'");
    const toml::array* facts = t["fact"].as_array();
    if (!facts || !facts->is_array_of_tables() || facts->empty()) {
      error(t, "instruction '" + in.name + "' needs at least one [[instruction.fact]]");
    } else {
      for (const toml::node& f : *facts) read_fact(*f.as_table(), spec, in);
    }
    spec.instructions.push_back(std::move(in));
  }

  void read_fact(const toml::table& t, const Spec& spec, Instruction& in) {
    check_keys(t, {"modes", "when", "traps", "reads", "writes", "effect", "note"}, "[[instruction.fact]]");
    Fact f;
    f.pos = pos_of(t.source());
    if (t.get("modes")) {
      f.modes = get_strings(t, "modes", true, t);
      const toml::array& arr = *t["modes"].as_array();
      for (size_t i = 0; i < arr.size() && i < f.modes.size(); ++i)
        if (std::find(spec.modes.begin(), spec.modes.end(), f.modes[i]) == spec.modes.end())
          error(*arr.get(i), "unknown mode '" + f.modes[i] + "' (modes: " + format_values(spec.modes) + ")");
      if (f.modes.empty()) error(t, "'modes' is empty");
    } else {
      f.modes = spec.modes;
    }
    if (const toml::node* w = t.get("when")) {
      const toml::table* wt = w->as_table();
      if (!wt) error(*w, "'when' must be a table of setting = value");
      else
        for (auto&& [k, v] : *wt) {
          const std::string name(k.str());
          const Setting* s = spec.find_setting(name);
          auto text = value_text(v);
          if (!s) {
            error(pos_of(k.source()), "unknown setting '" + name + "'");
          } else if (text && std::find(s->values.begin(), s->values.end(), *text) == s->values.end()) {
            error(v, "'" + *text + "' is not a value of setting '" + name + "' (values: " +
                         format_values(s->values) + ")");
          } else if (text) {
            f.when[name] = *text;
          }
        }
    }
    if (const toml::node* tr = t.get("traps")) {
      if (!tr->is_boolean()) error(*tr, "'traps' must be true or false");
      else f.traps = tr->as_boolean()->get();
    } else {
      error(t, "a fact must say whether the instruction traps ('traps = true|false')");
    }
    for (const char* key : {"reads", "writes"}) {
      const toml::node* n = t.get(key);
      if (!n) continue;
      const toml::array* arr = n->as_array();
      if (!arr) {
        error(*n, std::string("'") + key + "' must be an array of state classes");
        continue;
      }
      for (const toml::node& e : *arr) {
        const std::string name = e.is_string() ? e.as_string()->get() : std::string("?");
        auto c = parse_state_class(name);
        if (!c) {
          error(e, "unknown state '" + name + "' (state classes: " + state_class_names() + ")");
          continue;
        }
        (std::string(key) == "reads" ? f.reads : f.writes).insert(*c);
      }
      if (f.traps && !arr->empty())
        error(*n, std::string("contradictory fact: it traps, so it cannot also ") +
                      (std::string(key) == "reads" ? "read" : "write") +
                      " state (the trap is its only effect)");
    }
    f.effect = get_string(t, "effect", t, false).value_or("");
    f.note = get_string(t, "note", t, false).value_or("");
    in.facts.push_back(std::move(f));
  }

  // Under every combination of settings, exactly one fact per instruction and mode.
  void check_coverage(const Spec& spec) {
    const std::vector<Assignment> all = all_assignments(spec);
    for (const Instruction& in : spec.instructions) {
      for (const std::string& mode : spec.modes) {
        for (const Assignment& a : all) {
          const Fact* first = nullptr;
          bool reported = false;
          for (const Fact& f : in.facts) {
            if (std::find(f.modes.begin(), f.modes.end(), mode) == f.modes.end()) continue;
            bool match = true;
            for (const auto& [k, v] : f.when) match &= a.at(k) == v;
            if (!match) continue;
            if (first) {
              const bool same = first->traps == f.traps && first->reads == f.reads &&
                                first->writes == f.writes && first->effect == f.effect;
              error(f.pos, std::string(same ? "duplicate" : "contradictory") + " facts for " + in.name +
                               " in mode " + mode + " (" + describe(a, f.when) + "): this one and the one at line " +
                               std::to_string(first->pos.line) + " both apply");
              reported = true;
              break;
            }
            first = &f;
          }
          if (!first) {
            error(in.pos, "no fact says what " + in.name + " does in mode " + mode + " when " + describe(a));
            reported = true;
          }
          if (reported) break;  // one message per instruction and mode
        }
      }
    }
  }

 private:
  std::string file_;
  std::vector<SpecError> errors_;
};

}  // namespace

const char* state_class_name(StateClass c) { return kStateNames[static_cast<int>(c)]; }

std::optional<StateClass> parse_state_class(const std::string& name) {
  for (int i = 0; i < static_cast<int>(std::size(kStateNames)); ++i)
    if (name == kStateNames[i]) return static_cast<StateClass>(i);
  return std::nullopt;
}

std::string state_class_names() {
  std::string out;
  for (const char* n : kStateNames) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

bool is_control_state(StateClass c) {
  return c == StateClass::mode || c == StateClass::relocation || c == StateClass::interrupts ||
         c == StateClass::control;
}

bool is_control_write(StateClass c) { return is_control_state(c) || c == StateClass::time; }

bool Spec::is_guest_mode(const std::string& mode) const {
  return std::find(guest_modes.begin(), guest_modes.end(), mode) != guest_modes.end();
}

const Setting* Spec::find_setting(const std::string& n) const {
  for (const auto& s : settings)
    if (s.name == n) return &s;
  return nullptr;
}

const Instruction* Spec::find_instruction(const std::string& n) const {
  for (const auto& i : instructions)
    if (i.name == n) return &i;
  return nullptr;
}

std::string SpecError::str() const {
  return file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": " + message;
}

LoadResult parse_spec(const std::string& text, const std::string& file) { return Loader(file).run(text); }

LoadResult load_spec(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.errors.push_back(SpecError{path, Position{0, 0}, "cannot open the file"});
    return r;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_spec(ss.str(), path);
}

Assignment default_assignment(const Spec& spec) {
  Assignment a;
  for (const auto& s : spec.settings) a[s.name] = s.default_value;
  return a;
}

std::vector<Assignment> all_assignments(const Spec& spec) {
  std::vector<Assignment> out{Assignment{}};
  for (const auto& s : spec.settings) {
    std::vector<Assignment> next;
    for (const auto& a : out)
      for (const auto& v : s.values) {
        Assignment b = a;
        b[s.name] = v;
        next.push_back(std::move(b));
      }
    out = std::move(next);
  }
  return out;
}

const Fact* applicable_fact(const Instruction& in, const std::string& mode, const Assignment& a) {
  for (const Fact& f : in.facts) {
    if (std::find(f.modes.begin(), f.modes.end(), mode) == f.modes.end()) continue;
    bool match = true;
    for (const auto& [k, v] : f.when) {
      auto it = a.find(k);
      match &= it != a.end() && it->second == v;
    }
    if (match) return &f;
  }
  return nullptr;
}

std::optional<std::string> normalize_value(const Setting& s, const std::string& value) {
  for (const auto& v : s.values)
    if (v == value) return v;
  // true/false and 1/0 are interchangeable on the command line.
  const std::string alt = value == "1" ? "true" : value == "0" ? "false" : value == "true" ? "1" : value == "false" ? "0" : "";
  for (const auto& v : s.values)
    if (!alt.empty() && v == alt) return v;
  return std::nullopt;
}

}  // namespace vmscope::analyzer
