// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tokenizer/utf8.h"

namespace glvq::tok {

char32_t decodeUtf8(std::string_view text, std::size_t& pos)
{
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    const std::size_t length = utf8SequenceLength(lead);
    char32_t cp = 0;
    switch (length) {
    case 1:
        cp = lead;
        break;
    case 2:
        cp = (char32_t(lead & 0x1F) << 6) | (byte(pos + 1) & 0x3F);
        break;
    case 3:
        cp = (char32_t(lead & 0x0F) << 12) | (char32_t(byte(pos + 1) & 0x3F) << 6) | (byte(pos + 2) & 0x3F);
        break;
    default:
        cp = (char32_t(lead & 0x07) << 18) | (char32_t(byte(pos + 1) & 0x3F) << 12)
             | (char32_t(byte(pos + 2) & 0x3F) << 6) | (byte(pos + 3) & 0x3F);
        break;
    }
    pos += length;
    return cp;
}

void appendUtf8(std::string& out, char32_t cp)
{
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

namespace {

// Length of the longest valid prefix of a sequence starting at `pos` (0 when the lead byte itself is
// invalid), and whether it is complete. The second-byte ranges are those of the Unicode standard's
// table 3-7, which is also what makes the lossy decoder replace "maximal subparts".
struct SequenceCheck {
    std::size_t validPrefix;
    bool complete;
};

SequenceCheck checkSequence(std::string_view text, std::size_t pos)
{
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    std::size_t need = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        need = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 2;
        if (lead == 0xE0)
            lo = 0xA0;
        else if (lead == 0xED)
            hi = 0x9F; // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 3;
        if (lead == 0xF0)
            lo = 0x90;
        else if (lead == 0xF4)
            hi = 0x8F; // nothing above U+10FFFF
    } else {
        return {0, false};
    }
    std::size_t have = 1;
    for (std::size_t k = 1; k <= need; ++k) {
        if (pos + k >= text.size())
            return {have, false};
        const unsigned char c = byte(pos + k);
        const unsigned char low = k == 1 ? lo : 0x80;
        const unsigned char high = k == 1 ? hi : 0xBF;
        if (c < low || c > high)
            return {have, false};
        ++have;
    }
    return {have, true};
}

} // namespace

std::optional<std::size_t> findInvalidUtf8(std::string_view text)
{
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (static_cast<unsigned char>(text[pos]) < 0x80) {
            ++pos;
            continue;
        }
        const SequenceCheck check = checkSequence(text, pos);
        if (!check.complete)
            return pos;
        pos += check.validPrefix;
    }
    return std::nullopt;
}

std::string utf8Lossy(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size());
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        if (static_cast<unsigned char>(bytes[pos]) < 0x80) {
            out.push_back(bytes[pos++]);
            continue;
        }
        const SequenceCheck check = checkSequence(bytes, pos);
        if (check.complete) {
            out.append(bytes.substr(pos, check.validPrefix));
            pos += check.validPrefix;
        } else {
            out.append("\xEF\xBF\xBD"); // U+FFFD for the maximal invalid subpart
            pos += check.validPrefix == 0 ? 1 : check.validPrefix;
        }
    }
    return out;
}

bool isUnicodeWhitespace(char32_t cp)
{
    if (cp <= 0x20)
        return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
    switch (cp) {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

} // namespace glvq::tok
