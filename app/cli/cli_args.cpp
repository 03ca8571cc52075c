// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/cli_args.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace glvq::cli {

namespace {

const OptionSpec* findOption(const CommandSpec& spec, const std::string& name)
{
    const auto it = std::find_if(spec.options.begin(), spec.options.end(),
                                 [&](const OptionSpec& option) { return option.name == name; });
    return it == spec.options.end() ? nullptr : &*it;
}

std::string prefix(const CommandSpec& spec) { return "glvq " + spec.name + ": "; }

} // namespace

std::string ParsedArgs::value(const std::string& name, const std::string& fallback) const
{
    const auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
}

std::int64_t ParsedArgs::integer(const std::string& name, std::int64_t fallback, std::int64_t min,
                                 std::int64_t max) const
{
    const auto it = values.find(name);
    if (it == values.end())
        return fallback;
    std::int64_t parsed = 0;
    const auto& text = it->second;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (error != std::errc() || end != text.data() + text.size())
        throw UsageError("--" + name + " expects an integer, got '" + text + "'");
    if (parsed < min || parsed > max)
        throw UsageError("--" + name + " must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got "
                         + text);
    return parsed;
}

ParsedArgs parseArgs(const CommandSpec& spec, const std::vector<std::string>& args)
{
    ParsedArgs parsed;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& arg = args[i];
        if (arg == "--help" || arg == "-h") {
            parsed.helpRequested = true;
            return parsed;
        }
        if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
            parsed.positional.push_back(arg);
            continue;
        }
        auto name = arg.substr(2);
        std::optional<std::string> inlineValue;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name.resize(eq);
        }
        const auto* option = findOption(spec, name);
        if (!option)
            throw UsageError(prefix(spec) + "unknown option '--" + name + "' (see glvq " + spec.name + " --help)");
        if (option->valueName.empty()) {
            if (inlineValue)
                throw UsageError(prefix(spec) + "option '--" + name + "' takes no value");
            parsed.values.insert_or_assign(name, std::string(1, '1'));
        } else if (inlineValue) {
            parsed.values[name] = *inlineValue;
        } else {
            if (i + 1 >= args.size())
                throw UsageError(prefix(spec) + "option '--" + name + "' needs a value " + option->valueName);
            parsed.values[name] = args[++i];
        }
    }
    if (parsed.positional.size() < spec.positionals.size())
        throw UsageError(prefix(spec) + "missing " + spec.positionals[parsed.positional.size()] + " (usage: glvq "
                         + spec.name + " " + spec.synopsis + ")");
    if (parsed.positional.size() > spec.positionals.size())
        throw UsageError(prefix(spec) + "unexpected argument '" + parsed.positional[spec.positionals.size()] + "'");
    for (const auto& name : spec.required)
        if (!parsed.has(name))
            throw UsageError(prefix(spec) + "missing required option --" + name + " (usage: glvq " + spec.name + " "
                             + spec.synopsis + ")");
    return parsed;
}

std::string helpText(const CommandSpec& spec)
{
    std::ostringstream out;
    out << "usage: glvq " << spec.name << " " << spec.synopsis << "\n\n" << spec.summary << "\n";
    if (!spec.options.empty()) {
        out << "\noptions:\n";
        for (const auto& option : spec.options) {
            std::string left = "  --" + option.name + (option.valueName.empty() ? "" : " " + option.valueName);
            left.resize(std::max<std::size_t>(left.size() + 2, 26), ' ');
            out << left << option.help << "\n";
        }
    }
    out << "  --help                  show this help\n";
    return out.str();
}

std::string formatMeasured(double value, int decimals)
{
    if (std::isnan(value))
        return "n/a";
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

} // namespace glvq::cli
