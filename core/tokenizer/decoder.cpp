// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tokenizer/decoder.h"

#include "core/tokenizer/byte_level.h"
#include "core/tokenizer/utf8.h"

namespace glvq::tok {

namespace {

constexpr const char* kSupported = "(supported: ByteLevel, Metaspace, Replace with a String pattern, "
                                   "ByteFallback, Fuse, Strip, Sequence)";

std::string replaceAll(const std::string& text, const std::string& pattern, const std::string& content)
{
    std::string out;
    std::size_t pos = 0;
    while (true) {
        const std::size_t hit = text.find(pattern, pos);
        if (hit == std::string::npos)
            break;
        out.append(text, pos, hit - pos);
        out.append(content);
        pos = hit + pattern.size();
    }
    out.append(text, pos, std::string::npos);
    return out;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

// "<0xAB>" -> 0xAB, or -1 for any other token.
int fallbackByte(const std::string& token)
{
    if (token.size() != 6 || !token.starts_with("<0x") || token.back() != '>')
        return -1;
    const int high = hexValue(token[3]);
    const int low = hexValue(token[4]);
    return high < 0 || low < 0 ? -1 : high * 16 + low;
}

} // namespace

Decoder Decoder::fromJson(const Json* spec, const FieldPath& at)
{
    Decoder decoder;
    if (spec != nullptr) {
        decoder.m_present = true;
        decoder.parse(*spec, at);
    }
    return decoder;
}

void Decoder::parse(const Json& spec, const FieldPath& at)
{
    const std::string type = typeOf(spec, at);
    Step step{Kind::Fuse, {}, {}};
    if (type == "Sequence") {
        const FieldPath listAt = at / "decoders";
        const Json& list = requireArray(requireMember(spec, "decoders", at), listAt);
        for (std::size_t i = 0; i < list.size(); ++i)
            parse(list[i], listAt[i]);
        return;
    }
    if (type == "ByteLevel") {
        step.kind = Kind::ByteLevel;
    } else if (type == "Metaspace") {
        step.kind = Kind::Metaspace;
        step.character = charMember(spec, "replacement", at);
        appendUtf8(step.pattern, step.character);
        std::string scheme = "always";
        if (const Json* value = findMember(spec, "prepend_scheme"))
            scheme = requireString(*value, at / "prepend_scheme");
        step.prependNever = scheme == "never" || !boolMember(spec, "add_prefix_space", true, at);
    } else if (type == "Replace") {
        const PatternSpec pattern = patternMember(spec, at);
        if (pattern.isRegex)
            (at / "pattern").fail("Regex is not supported (only String patterns)");
        if (pattern.text.empty())
            (at / "pattern" / "String").fail("must not be empty");
        step.kind = Kind::Replace;
        step.pattern = pattern.text;
        step.content = requireStringMember(spec, "content", at);
    } else if (type == "ByteFallback") {
        step.kind = Kind::ByteFallback;
    } else if (type == "Fuse") {
        step.kind = Kind::Fuse;
    } else if (type == "Strip") {
        step.kind = Kind::Strip;
        step.character = charMember(spec, "content", at);
        const std::int64_t start = intMember(spec, "start", 0, at);
        const std::int64_t stop = intMember(spec, "stop", 0, at);
        if (start < 0 || stop < 0)
            at.fail("start and stop must not be negative");
        step.start = static_cast<std::size_t>(start);
        step.stop = static_cast<std::size_t>(stop);
    } else {
        (at / "type").fail(inQuotes(type) + " is not supported " + kSupported);
    }
    m_steps.push_back(std::move(step));
}

std::string Decoder::decode(std::vector<std::string> tokens) const
{
    std::string text;
    if (!m_present) {
        for (std::size_t i = 0; i < tokens.size(); ++i)
            text += (i == 0 ? "" : " ") + tokens[i];
        return text;
    }
    for (const Step& step : m_steps)
        run(step, tokens);
    for (const std::string& token : tokens)
        text += token;
    return text;
}

void Decoder::run(const Step& step, std::vector<std::string>& tokens) const
{
    switch (step.kind) {
    case Kind::Replace:
        for (std::string& token : tokens) {
            if (token.find(step.pattern) != std::string::npos)
                token = replaceAll(token, step.pattern, step.content);
        }
        return;
    case Kind::Fuse: {
        std::string joined;
        for (const std::string& token : tokens)
            joined += token;
        tokens.assign(1, std::move(joined));
        return;
    }
    case Kind::ByteFallback: {
        // Runs of <0xXX> tokens become their bytes when those are valid UTF-8, else one U+FFFD per byte.
        std::vector<std::string> out;
        std::string bytes;
        const auto flush = [&] {
            if (bytes.empty())
                return;
            if (findInvalidUtf8(bytes))
                out.insert(out.end(), bytes.size(), "\xEF\xBF\xBD");
            else
                out.push_back(bytes);
            bytes.clear();
        };
        for (std::string& token : tokens) {
            const int byte = fallbackByte(token);
            if (byte >= 0) {
                bytes.push_back(static_cast<char>(byte));
                continue;
            }
            flush();
            out.push_back(std::move(token));
        }
        flush();
        tokens.swap(out);
        return;
    }
    case Kind::Strip:
        for (std::string& token : tokens) {
            // Up to `start` leading and `stop` trailing copies of the character go; the middle stays.
            std::size_t begin = 0;
            for (std::size_t i = 0; i < step.start && begin < token.size(); ++i) {
                std::size_t next = begin;
                if (decodeUtf8(token, next) != step.character)
                    break;
                begin = next;
            }
            std::size_t end = token.size();
            for (std::size_t i = 0; i < step.stop && end > begin; ++i) {
                std::size_t start = end - 1;
                while (start > begin && (static_cast<unsigned char>(token[start]) & 0xC0) == 0x80)
                    --start;
                std::size_t pos = start;
                if (decodeUtf8(token, pos) != step.character)
                    break;
                end = start;
            }
            if (begin != 0 || end != token.size())
                token = token.substr(begin, end - begin);
        }
        return;
    case Kind::Metaspace:
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            // In the first token the replacement marks the prepended prefix: dropped, not turned into a space.
            const std::string content = i == 0 && !step.prependNever ? std::string() : std::string(" ");
            if (tokens[i].find(step.pattern) != std::string::npos)
                tokens[i] = replaceAll(tokens[i], step.pattern, content);
        }
        return;
    case Kind::ByteLevel: {
        const ByteAlphabet& alphabet = byteAlphabet();
        std::string bytes;
        for (const std::string& token : tokens) {
            const std::size_t mark = bytes.size();
            bool mapped = true;
            for (std::size_t pos = 0; pos < token.size();) {
                const char32_t cp = decodeUtf8(token, pos);
                if (cp >= alphabet.charToByte.size() || alphabet.charToByte[cp] < 0) {
                    mapped = false;
                    break;
                }
                bytes.push_back(static_cast<char>(alphabet.charToByte[cp]));
            }
            if (!mapped) { // a token outside the alphabet (an added token) keeps its own bytes
                bytes.resize(mark);
                bytes += token;
            }
        }
        tokens.assign(1, utf8Lossy(bytes));
        return;
    }
    }
}

} // namespace glvq::tok
