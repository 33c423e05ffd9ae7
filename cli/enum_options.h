// Enum-valued options: CLI11 turns the name typed into the value, and refuses any other word with
// the list of names ("--engine: fast not in {interp,translate}"). The names come from the core's
// own to_string where it has one (one spelling for the CLI, the debugger and the docs).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <utility>
#include <vector>

namespace vmscope::cli {

template <typename E>
CLI::Validator enum_names(std::vector<std::pair<std::string, E>> names) {
  std::string list = "{";
  for (const auto& [name, value] : names) list += (list.size() > 1 ? "," : "") + name;
  list += "}";
  return CLI::Validator(
      [names, list](std::string& input) -> std::string {
        for (const auto& [name, value] : names) {
          if (input == name) {
            input = std::to_string(static_cast<int>(value));  // (what CLI11 then reads into the enum)
            return std::string();
          }
        }
        return input + " not in " + list;
      },
      list);
}

// The names of `values` as the core's to_string spells them.
template <typename E>
CLI::Validator enum_names(std::initializer_list<E> values) {
  std::vector<std::pair<std::string, E>> names;
  for (E v : values) names.emplace_back(to_string(v), v);
  return enum_names(std::move(names));
}

}  // namespace vmscope::cli
