// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tokenizer/normalizer.h"

#include "core/tokenizer/utf8.h"

namespace glvq::tok {

namespace {

constexpr const char* kSupported = "(supported: Sequence, Prepend, Replace with a String pattern, Strip)";

void replaceAll(std::string_view text, std::string_view pattern, std::string_view content, std::string& out)
{
    out.clear();
    out.reserve(text.size() + text.size() / 4);
    std::size_t pos = 0;
    while (true) {
        const std::size_t hit = text.find(pattern, pos);
        if (hit == std::string_view::npos)
            break;
        out.append(text.substr(pos, hit - pos));
        out.append(content);
        pos = hit + pattern.size();
    }
    out.append(text.substr(pos));
}

std::string_view stripWhitespace(std::string_view text, bool left, bool right)
{
    if (left) {
        std::size_t pos = 0;
        while (pos < text.size()) {
            std::size_t next = pos;
            if (!isUnicodeWhitespace(decodeUtf8(text, next)))
                break;
            pos = next;
        }
        text.remove_prefix(pos);
    }
    if (right) {
        while (!text.empty()) {
            std::size_t start = text.size() - 1;
            while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
                --start;
            std::size_t pos = start;
            if (!isUnicodeWhitespace(decodeUtf8(text, pos)))
                break;
            text.remove_suffix(text.size() - start);
        }
    }
    return text;
}

} // namespace

std::optional<Normalizer> Normalizer::fromJson(const Json* spec, const FieldPath& at)
{
    if (spec == nullptr)
        return std::nullopt;
    Normalizer normalizer;
    normalizer.parse(*spec, at);
    return normalizer;
}

void Normalizer::parse(const Json& spec, const FieldPath& at)
{
    const std::string type = typeOf(spec, at);
    if (type == "Sequence") {
        const FieldPath listAt = at / "normalizers";
        const Json& list = requireArray(requireMember(spec, "normalizers", at), listAt);
        for (std::size_t i = 0; i < list.size(); ++i)
            parse(list[i], listAt[i]);
    } else if (type == "Prepend") {
        m_steps.push_back({Step::Kind::Prepend, requireStringMember(spec, "prepend", at), {}});
    } else if (type == "Replace") {
        const PatternSpec pattern = patternMember(spec, at);
        if (pattern.isRegex)
            (at / "pattern").fail("Regex is not supported (only String patterns)");
        if (pattern.text.empty())
            (at / "pattern").fail("String must not be empty");
        m_steps.push_back({Step::Kind::Replace, pattern.text, requireStringMember(spec, "content", at)});
    } else if (type == "Strip") {
        Step step{Step::Kind::Strip, {}, {}};
        step.left = boolMember(spec, "strip_left", true, at);
        step.right = boolMember(spec, "strip_right", true, at);
        m_steps.push_back(step);
    } else {
        (at / "type").fail(inQuotes(type) + " is not supported " + kSupported);
    }
}

std::string Normalizer::apply(std::string_view text) const
{
    std::string current(text);
    std::string scratch;
    for (const Step& step : m_steps) {
        switch (step.kind) {
        case Step::Kind::Prepend:
            if (!current.empty()) // the reference leaves empty text alone
                current.insert(0, step.pattern);
            break;
        case Step::Kind::Replace:
            if (current.find(step.pattern) != std::string::npos) {
                replaceAll(current, step.pattern, step.content, scratch);
                current.swap(scratch);
            }
            break;
        case Step::Kind::Strip:
            current = std::string(stripWhitespace(current, step.left, step.right));
            break;
        }
    }
    return current;
}

bool Normalizer::prepends(std::string_view text) const
{
    for (const Step& step : m_steps) {
        if (step.kind == Step::Kind::Prepend && step.pattern == text)
            return true;
    }
    return false;
}

} // namespace glvq::tok
