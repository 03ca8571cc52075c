// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// GPT-2's byte-to-unicode alphabet: every byte gets a printable code point (printable Latin-1 bytes map
// to themselves, the other 68 to U+0100..U+0143), so byte-level vocabularies are strings of ordinary
// characters.
// Thread-safety: the tables are built once, on first use, under the C++ static-initialisation guarantee.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace glvq::tok {

struct ByteAlphabet {
    std::array<char32_t, 256> byteToChar{};
    std::array<std::string, 256> byteToUtf8{}; // the same, UTF-8 encoded (for vocabulary lookups)
    std::array<std::int16_t, 0x144> charToByte{}; // -1 where the code point is not in the alphabet
};

const ByteAlphabet& byteAlphabet();

// Appends the byte-level spelling of `bytes` (what the ByteLevel pre-tokenizer produces).
void appendByteLevel(std::string& out, std::string_view bytes);

} // namespace glvq::tok
