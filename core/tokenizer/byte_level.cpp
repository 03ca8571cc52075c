// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tokenizer/byte_level.h"

#include "core/tokenizer/utf8.h"

namespace glvq::tok {

namespace {

ByteAlphabet buildAlphabet()
{
    ByteAlphabet alphabet;
    alphabet.charToByte.fill(-1);
    const auto keepsItsValue = [](unsigned b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    };
    char32_t next = 256;
    for (unsigned b = 0; b < 256; ++b) {
        const char32_t cp = keepsItsValue(b) ? char32_t(b) : next++;
        alphabet.byteToChar[b] = cp;
        appendUtf8(alphabet.byteToUtf8[b], cp);
        alphabet.charToByte[cp] = static_cast<std::int16_t>(b);
    }
    return alphabet;
}

} // namespace

const ByteAlphabet& byteAlphabet()
{
    static const ByteAlphabet alphabet = buildAlphabet();
    return alphabet;
}

void appendByteLevel(std::string& out, std::string_view bytes)
{
    const ByteAlphabet& alphabet = byteAlphabet();
    for (const char c : bytes)
        out += alphabet.byteToUtf8[static_cast<unsigned char>(c)];
}

} // namespace glvq::tok
