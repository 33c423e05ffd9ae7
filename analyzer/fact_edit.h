// Structured edits of a description: what one instruction does in one mode (whether it traps,
// the state classes it reads and writes), written back into the description's TOML text at the
// fact that says it, so that comments, notes and the layout of everything else stay as written.
// The debugger's fact editor is built on it; the text stays the one source of truth.
#pragma once

#include <set>
#include <string>

#include "spec.h"

namespace vmscope::analyzer {

struct FactChange {
  bool traps = false;
  std::set<StateClass> reads, writes;  // ignored (and removed from the text) when it traps
};

struct FactEditResult {
  std::string text;   // the new description text (empty on error)
  std::string error;  // why the edit cannot be made ("" on success)
  int line = 0;       // the line of the fact that now says it
};

// The fact that applies to `instruction` in `mode` under `a` gets `change`. A fact that also
// covers other modes is split: `mode` gets a fact of its own (the same `when`), written right
// after it, and the original keeps the other modes. `spec` must be the parse of `text`.
FactEditResult edit_fact(const std::string& text, const Spec& spec, const std::string& instruction,
                         const std::string& mode, const Assignment& a, const FactChange& change);

}  // namespace vmscope::analyzer
