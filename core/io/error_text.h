// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Internal to glvq_io: pieces of error messages. glvq::Error messages must stay on one line, yet they
// quote text taken from the file (tensor names, parser diagnostics), which may hold anything.
#include <cstddef>
#include <string>
#include <string_view>

namespace glvq::io::detail {

// `text` with control characters replaced by '?' and cut to `maxLength` characters ("..." appended).
inline std::string printable(std::string_view text, std::size_t maxLength = 200)
{
    std::string out;
    const bool cut = text.size() > maxLength;
    out.reserve(cut ? maxLength + 3 : text.size());
    for (std::size_t i = 0; i < text.size() && i < maxLength; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        out.push_back(c < 0x20 || c == 0x7F ? '?' : static_cast<char>(c));
    }
    if (cut)
        out += "...";
    return out;
}

// "tensor 'name'", the way every message refers to a tensor.
inline std::string tensorLabel(std::string_view name) { return "tensor '" + printable(name) + "'"; }

} // namespace glvq::io::detail
