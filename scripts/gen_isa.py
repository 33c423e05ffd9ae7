#!/usr/bin/env python3
"""Generates the decoder/disassembler tables (C++) from isa-specs/rv32.opcodes.

Usage: gen_isa.py SPEC OUTPUT_DIR   (writes isa_ops.inc and isa_tables.inc)
The spec format is described at the top of the spec file. Errors name the file and line.
"""
import re
import sys

ROLES = {"rd": "kRoleRd", "rs1": "kRoleRs1", "rs2": "kRoleRs2", "imm": "kRoleImm",
         "rd+rs1": "kRoleRd | kRoleRs1", "none": "0"}
FORMATS = {"reg", "creg", "dec", "hex", "hex20", "pcrel", "csr", "fence"}
ASSIGNABLE = {"rd", "rs1", "rs2", "imm"}


class SpecError(Exception):
    pass


def parse_bits(text, where):
    m = re.fullmatch(r"(\d+)(?:\.\.(\d+))?", text)
    if not m:
        raise SpecError(f"{where}: expected a bit or bit range like 14..12, got '{text}'")
    hi = int(m.group(1))
    lo = int(m.group(2)) if m.group(2) is not None else hi
    if lo > hi:
        raise SpecError(f"{where}: bit range '{text}' must be written high..low")
    return hi, lo


def parse_int(text, where):
    try:
        return int(text, 0)
    except ValueError:
        raise SpecError(f"{where}: expected a number, got '{text}'")


TRAITS = ["branch", "jump", "indirect", "system", "load", "store", "atomic"]


def parse(path):
    fields, insns, csrs, traits = {}, [], {}, {}
    with open(path) as f:
        lines = f.readlines()
    for n, raw in enumerate(lines, 1):
        where = f"{path}:{n}"
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        tok = line.split()
        if tok[0] == "field":
            if len(tok) < 6:
                raise SpecError(f"{where}: expected 'field NAME ROLE FORMAT SIGN SLICE...'")
            name, role, fmt, sign = tok[1:5]
            if name in fields:
                raise SpecError(f"{where}: field '{name}' defined twice")
            if role not in ROLES:
                raise SpecError(f"{where}: role must be one of {sorted(ROLES)}, got '{role}'")
            if fmt not in FORMATS:
                raise SpecError(f"{where}: format must be one of {sorted(FORMATS)}, got '{fmt}'")
            if sign not in ("s", "u"):
                raise SpecError(f"{where}: sign must be 's' or 'u', got '{sign}'")
            slices, top = [], 0
            for s in tok[5:]:
                if "=" not in s:
                    raise SpecError(f"{where}: slice must be INSTBITS=VALUEBITS, got '{s}'")
                ib, vb = s.split("=")
                ihi, ilo = parse_bits(ib, where)
                vhi, vlo = parse_bits(vb, where)
                if ihi - ilo != vhi - vlo:
                    raise SpecError(f"{where}: slice '{s}' has different widths on each side")
                slices.append((ilo, ihi - ilo + 1, vlo))
                top = max(top, vhi)
            fields[name] = dict(role=role, fmt=fmt, signed=sign == "s", top=top, slices=slices,
                                index=len(fields))
        elif tok[0] == "insn":
            if len(tok) < 4:
                raise SpecError(f"{where}: expected 'insn MNEMONIC SYNTAX CONDITION...'")
            mnem, syntax = tok[1], tok[2]
            rest = tok[3:]
            exec_op, assigns = None, []
            if "->" in rest:
                k = rest.index("->")
                if k + 1 >= len(rest):
                    raise SpecError(f"{where}: '->' must be followed by an operation name")
                exec_op = rest[k + 1]
                for a in rest[k + 2:]:
                    key, _, val = a.partition("=")
                    if key not in ASSIGNABLE or not val:
                        raise SpecError(f"{where}: implied operand must be rd=N, rs1=N, rs2=N or imm=N, got '{a}'")
                    assigns.append((key, parse_int(val, where)))
                rest = rest[:k]
            aqrl = "+aqrl" in rest
            rest = [r for r in rest if r != "+aqrl"]
            match = mask = 0
            excludes = []
            length = 2 if mnem.startswith("c.") else 4
            for cond in rest:
                m = re.fullmatch(r"([\w.]+)(!?=)(\w+)", cond)
                if not m:
                    raise SpecError(f"{where}: condition must be BITS=V, BITS!=V or FIELD!=V, got '{cond}'")
                lhs, op, val = m.group(1), m.group(2), parse_int(m.group(3), where)
                if lhs in fields:
                    if op != "!=":
                        raise SpecError(f"{where}: a field may only be excluded (FIELD!=V): '{cond}'")
                    excludes.append(("field", fields[lhs]["index"], 0, val))
                    continue
                hi, lo = parse_bits(lhs, where)
                if hi >= length * 8:
                    raise SpecError(f"{where}: bit {hi} is outside a {length * 8}-bit instruction")
                width = hi - lo + 1
                if val >= (1 << width):
                    raise SpecError(f"{where}: value {val:#x} does not fit in bits {lhs}")
                bits = ((1 << width) - 1) << lo
                if op == "=":
                    if mask & bits:
                        raise SpecError(f"{where}: bits {lhs} are fixed twice")
                    mask |= bits
                    match |= val << lo
                else:
                    excludes.append(("bits", lo, width, val))
            ops = [] if syntax == "-" else [t for t in re.split(r"[,()]", syntax) if t]
            field_ids, template = [], ""
            for part in re.split(r"([,()])", syntax if syntax != "-" else ""):
                if part in fields:
                    template += "{%d}" % len(field_ids)
                    field_ids.append(fields[part]["index"])
                else:
                    template += part
            for o in ops:
                if o not in fields and not re.fullmatch(r"[a-z]+", o):
                    raise SpecError(f"{where}: unknown field '{o}' in syntax")
            insns.append(dict(mnem=mnem, match=match, mask=mask, length=length, exec_op=exec_op,
                              assigns=assigns, aqrl=aqrl, fields=field_ids, template=template,
                              excludes=excludes, where=where))
        elif tok[0] == "trait":
            if len(tok) < 3 or tok[1] not in TRAITS:
                raise SpecError(f"{where}: expected 'trait NAME MNEMONIC...' with NAME one of {', '.join(TRAITS)}")
            for mnem in tok[2:]:
                traits.setdefault(mnem, set()).add(tok[1])
                traits[mnem + "@"] = where  # (where it was named: for the message below)
        elif tok[0] == "csr":
            if len(tok) != 3:
                raise SpecError(f"{where}: expected 'csr NAME NUMBER'")
            number = parse_int(tok[2], where)
            m = re.fullmatch(r"(\w*)\{(\d+)\.\.(\d+)\}(\w*)", tok[1])
            names = ([m.group(1) + str(k) + m.group(4) for k in range(int(m.group(2)), int(m.group(3)) + 1)]
                     if m else [tok[1]])
            for k, name in enumerate(names):
                if number + k > 0xfff or (number + k) in csrs:
                    raise SpecError(f"{where}: CSR number {number + k:#x} is out of range or taken twice")
                csrs[number + k] = name
        else:
            raise SpecError(f"{where}: expected 'field', 'insn', 'trait' or 'csr', got '{tok[0]}'")
    base_ops = [i["mnem"] for i in insns if i["exec_op"] is None]
    for mnem in [m for m in traits if not m.endswith("@")]:
        if mnem not in base_ops + ["illegal"]:
            raise SpecError(f"{traits[mnem + '@']}: a trait for '{mnem}', which is not a base instruction")
    op_traits = {m: t for m, t in traits.items() if not m.endswith("@")}
    for i in insns:
        if i["exec_op"] is not None and i["exec_op"] not in base_ops + ["illegal"]:
            raise SpecError(f"{i['where']}: '{i['exec_op']}' is not a base instruction")
        if len(i["excludes"]) > 4 or any(len(fields[f]["slices"]) > 8 for f in fields) or len(i["fields"]) > 4 or len(i["assigns"]) > 3:
            raise SpecError(f"{i['where']}: too many operands, exclusions or implied operands")
    return fields, insns, base_ops, csrs, op_traits


CPP_KEYWORDS = {"and", "or", "xor", "not"}


def ident(name):
    """A C++ identifier for an instruction: dots become underscores; C++'s alternative operator
    tokens (and, or, xor) get a trailing underscore."""
    ident = name.replace(".", "_")
    return ident + "_" if ident in CPP_KEYWORDS else ident


HEADER = ("// Generated by scripts/gen_isa.py from isa-specs/rv32.opcodes. Do not edit.\n"
          "// Included by core/isa/isa_table.h inside namespace vmscope::isa.\n\n")


def emit_ops(base_ops, compressed_ops, op_traits, out):
    w = out.write
    w(HEADER)
    w("enum class Op : uint8_t {\n  illegal,\n")
    for op in base_ops:
        w(f"  {ident(op)},\n")
    w("};\n")
    w(f"inline constexpr int kOpCount = {len(base_ops) + 1};\n")
    # X-macro over every operation, in enum order: lets an engine build its dispatch table so
    # that a missing handler is a compile error, not a wrong jump.
    w("#define VMSCOPE_FOR_EACH_OP(X) X(illegal)")
    for op in base_ops:
        w(f" X({ident(op)})")
    w("\n")
    # The operations compressed instructions expand to: an engine that specializes handlers by
    # instruction length needs a 2-byte variant of exactly these.
    w("#define VMSCOPE_FOR_EACH_COMPRESSED_OP(X)")
    for op in compressed_ops:
        w(f" X({ident(op)})")
    w("\n")
    w("inline constexpr const char* kOpNames[kOpCount] = {\n  \"illegal\",\n")
    for op in base_ops:
        w(f"  \"{op}\",\n")
    w("};\n")
    # What the engines and views ask of an operation (the spec's `trait` lines).
    w("enum Trait : uint8_t {\n")
    for k, t in enumerate(TRAITS):
        w(f"  kTrait{t.capitalize()} = {1 << k},\n")
    w("};\n")
    w("inline constexpr uint8_t kOpTraits[kOpCount] = {\n")
    for op in ["illegal"] + base_ops:
        bits = " | ".join(f"kTrait{t.capitalize()}" for t in TRAITS if t in op_traits.get(op, ())) or "0"
        w(f"  {bits},  // {op}\n")
    w("};\n")


def emit_tables(fields, insns, csrs, out):
    w = out.write
    w(HEADER)
    w(f"inline constexpr FieldSpec kFields[{len(fields)}] = {{\n")
    for name, f in fields.items():
        sl = ", ".join("{%d, %d, %d}" % s for s in f["slices"])
        w(f"  {{\"{name}\", {ROLES[f['role']]}, Format::{f['fmt']}, {str(f['signed']).lower()}, "
          f"{f['top']}, {len(f['slices'])}, {{{sl}}}}},\n")
    w("};\n\n")
    w(f"inline constexpr EncodingSpec kEncodings[{len(insns)}] = {{\n")
    for i in insns:
        exec_op = i["exec_op"] or i["mnem"]
        fl = ", ".join(str(x) for x in i["fields"])
        ex = ", ".join("{%s, %d, %d, %#x}" % ("true" if k == "field" else "false", a, b, v)
                       for k, a, b, v in i["excludes"])
        asg = ", ".join("{kRole%s, %d}" % (k.capitalize() if k != "imm" else "Imm", v)
                        for k, v in i["assigns"])
        w(f"  {{\"{i['mnem']}\", {i['match']:#010x}u, {i['mask']:#010x}u, {i['length']}, "
          f"Op::{ident(exec_op)}, {str(i['aqrl']).lower()}, \"{i['template']}\",\n"
          f"   {len(i['fields'])}, {{{fl}}}, {len(i['excludes'])}, {{{ex}}}, "
          f"{len(i['assigns'])}, {{{asg}}}}},\n")
    w("};\n\n")
    w(f"inline constexpr CsrName kCsrNames[{len(csrs)}] = {{\n")
    for number, name in sorted(csrs.items()):
        w(f"  {{{number:#05x}, \"{name}\"}},\n")
    w("};\n")


def emit_csr_numbers(csrs, out):
    w = out.write
    w("// Generated from isa-specs/rv32.opcodes by scripts/gen_isa.py: every CSR's number by its name\n"
      "// (csr::mstatus == 0x300), the one table the core, the tests and the tools use.\n"
      "#pragma once\n\n#include <cstdint>\n\nnamespace vmscope::csr {\n")
    for number, name in sorted(csrs.items()):
        w(f"inline constexpr uint16_t {name} = {number:#05x};\n")
    w("}  // namespace vmscope::csr\n")


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: gen_isa.py SPEC OUTPUT_DIR\n")
        return 2
    try:
        fields, insns, base_ops, csrs, op_traits = parse(sys.argv[1])
    except (SpecError, OSError) as e:
        sys.stderr.write(f"gen_isa: {e}\n")
        return 1
    with open(f"{sys.argv[2]}/isa_ops.inc", "w") as out:
        compressed_ops = [op for op in base_ops
                          if any(i["exec_op"] == op for i in insns if i["length"] == 2)]
        emit_ops(base_ops, compressed_ops, op_traits, out)
    with open(f"{sys.argv[2]}/isa_tables.inc", "w") as out:
        emit_tables(fields, insns, csrs, out)
    with open(f"{sys.argv[2]}/csr_numbers.h", "w") as out:
        emit_csr_numbers(csrs, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
