// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A small, strict command-line parser: each command declares its options, unknown options and missing
// values are one-line usage errors, and --help text is generated from the same declaration.
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace glvq::cli {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct OptionSpec {
    std::string name;      // without the leading dashes, e.g. "ctx"
    std::string valueName; // empty for a flag, e.g. "N"
    std::string help;
};

struct CommandSpec {
    std::string name;      // "eval"
    std::string synopsis;  // "MODEL_DIR --text FILE --ctx N [options]"
    std::string summary;   // one line
    std::vector<std::string> positionals; // names of required positionals, in order
    std::vector<OptionSpec> options;
    std::vector<std::string> required; // options that must be given
};

class ParsedArgs {
public:
    std::vector<std::string> positional;
    std::map<std::string, std::string> values; // flags map to "1"
    bool helpRequested = false;

    bool has(const std::string& name) const { return values.count(name) != 0; }
    std::string value(const std::string& name, const std::string& fallback = {}) const;
    // Integer option within [min, max]; a UsageError naming the option otherwise.
    std::int64_t integer(const std::string& name, std::int64_t fallback, std::int64_t min, std::int64_t max) const;
};

ParsedArgs parseArgs(const CommandSpec& spec, const std::vector<std::string>& args);
std::string helpText(const CommandSpec& spec);

// A measured figure with `decimals` decimals, or "n/a" when it was not measured (NaN; null in JSON input).
std::string formatMeasured(double value, int decimals = 4);

} // namespace glvq::cli
