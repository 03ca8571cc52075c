// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// UTF-8 helpers for the tokenizer. The pipeline works on bytes and only decodes code points where a rule
// is defined per character (BPE's initial symbols, Strip, the byte-level alphabet), so these are small
// and branch-light rather than general.
// Thread-safety: stateless free functions.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace glvq::tok {

// Length of the UTF-8 sequence that starts with `lead` (1 for an invalid lead, so loops always advance).
inline std::size_t utf8SequenceLength(unsigned char lead)
{
    if (lead < 0x80)
        return 1;
    if ((lead >> 5) == 0x6)
        return 2;
    if ((lead >> 4) == 0xE)
        return 3;
    if ((lead >> 3) == 0x1E)
        return 4;
    return 1;
}

// Decodes the code point at `pos` of valid UTF-8 and moves `pos` past it.
char32_t decodeUtf8(std::string_view text, std::size_t& pos);

void appendUtf8(std::string& out, char32_t cp);

// Byte offset of the first invalid UTF-8 sequence, or nullopt when `text` is valid (no overlongs,
// surrogates or code points above U+10FFFF, as Rust's str requires).
std::optional<std::size_t> findInvalidUtf8(std::string_view text);

// Rust's String::from_utf8_lossy: each maximal invalid subpart becomes one U+FFFD.
std::string utf8Lossy(std::string_view bytes);

// Rust's char::is_whitespace (the Unicode White_Space property: 25 code points).
bool isUnicodeWhitespace(char32_t cp);

} // namespace glvq::tok
