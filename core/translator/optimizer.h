// The native backend's optimizer: passes over a block's decoded instructions (a copy of them;
// threaded code keeps the originals) before x86-64 code is emitted from them.
//
// Native code hands over to threaded code at any load or store (a micro-TLB miss, a fault), so
// the guest registers must hold exactly the interpreter's values there. Every rewrite keeps that:
// constant and copy propagation and strength reduction turn an instruction into a cheaper one
// that leaves the same value in the same register; dead-write elimination drops a write only when
// a later write to the same register replaces it with no way out of the block in between. An
// instruction stays at its index (a dropped one becomes a write to x0, which emits nothing), so
// hand-overs still name the right instruction.
//
// The rewritten instructions use forms only the native backend runs: an immediate may be any
// 32-bit value (`lui rd, v` loads v; `addi rd, rs, v` adds it), not just what an encoding holds.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "mem/code_cache.h"

namespace vmscope {

struct OptimizerStats {
  unsigned constants = 0;  // instructions whose register operand became a constant (or folded whole)
  unsigned copies = 0;     // operands read from the register a move copied them from
  unsigned strength = 0;   // multiplications and divisions by constants made shifts, masks or moves
  unsigned dead = 0;       // writes dropped, the register overwritten before anything could see them
  // "2 constants folded, 1 dead write dropped" (empty: nothing changed).
  std::string describe() const;
};

// The passes, in the order optimize() runs them (each on its own for the unit tests).
void propagate_constants(std::vector<Slot>& ops, OptimizerStats& stats);
void propagate_copies(std::vector<Slot>& ops, OptimizerStats& stats);
void reduce_strength(std::vector<Slot>& ops, OptimizerStats& stats);
void eliminate_dead_writes(std::vector<Slot>& ops, OptimizerStats& stats);
// All of them, on a copy of a block's instructions (`count` of them; threaded code's exit op, if
// any, is not copied).
std::vector<Slot> optimize(std::span<const Slot> ops, uint32_t count, OptimizerStats& stats);

// An instruction the optimizer left with nothing to do (a pure operation writing x0).
bool is_dropped(const Slot& s);

}  // namespace vmscope
