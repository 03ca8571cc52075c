// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tokenizer/json_fields.h"

#include "core/tokenizer/utf8.h"
#include "core/util/error.h"

#include <algorithm>

namespace glvq::tok {

FieldPath FieldPath::operator/(std::string_view key) const
{
    return FieldPath(*m_source, m_path.empty() ? std::string(key) : m_path + "." + std::string(key));
}

FieldPath FieldPath::operator[](std::size_t index) const
{
    return FieldPath(*m_source, m_path + "[" + std::to_string(index) + "]");
}

void FieldPath::fail(const std::string& what) const
{
    throw Error(*m_source + ": " + (m_path.empty() ? std::string() : m_path + " ") + what);
}

const Json* findMember(const Json& object, const std::string& key)
{
    if (!object.is_object())
        return nullptr;
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return nullptr;
    return &*it;
}

const Json& requireMember(const Json& object, const std::string& key, const FieldPath& at)
{
    const Json* member = findMember(object, key);
    if (member == nullptr)
        (at / key).fail("is missing");
    return *member;
}

const Json& requireObject(const Json& value, const FieldPath& at)
{
    if (!value.is_object())
        at.fail("must be an object");
    return value;
}

const Json& requireArray(const Json& value, const FieldPath& at)
{
    if (!value.is_array())
        at.fail("must be an array");
    return value;
}

std::string requireString(const Json& value, const FieldPath& at)
{
    if (!value.is_string())
        at.fail("must be a string");
    return value.get<std::string>();
}

std::string requireStringMember(const Json& object, const std::string& key, const FieldPath& at)
{
    return requireString(requireMember(object, key, at), at / key);
}

bool boolMember(const Json& object, const std::string& key, bool fallback, const FieldPath& at)
{
    const Json* member = findMember(object, key);
    if (member == nullptr)
        return fallback;
    if (!member->is_boolean())
        (at / key).fail("must be true or false");
    return member->get<bool>();
}

std::int64_t intMember(const Json& object, const std::string& key, std::int64_t fallback, const FieldPath& at)
{
    const Json* member = findMember(object, key);
    if (member == nullptr)
        return fallback;
    if (!member->is_number_integer())
        (at / key).fail("must be an integer");
    return member->get<std::int64_t>();
}

char32_t charMember(const Json& object, const std::string& key, const FieldPath& at)
{
    const std::string text = requireStringMember(object, key, at);
    if (text.empty() || utf8SequenceLength(static_cast<unsigned char>(text[0])) != text.size())
        (at / key).fail(inQuotes(text) + " must be a single character");
    std::size_t pos = 0;
    return decodeUtf8(text, pos);
}

std::string typeOf(const Json& component, const FieldPath& at)
{
    requireObject(component, at);
    return requireStringMember(component, "type", at);
}

PatternSpec patternMember(const Json& object, const FieldPath& at)
{
    const FieldPath patternAt = at / "pattern";
    const Json& pattern = requireObject(requireMember(object, "pattern", at), patternAt);
    if (const Json* text = findMember(pattern, "String"))
        return {false, requireString(*text, patternAt / "String")};
    if (const Json* text = findMember(pattern, "Regex"))
        return {true, requireString(*text, patternAt / "Regex")};
    patternAt.fail("must be {\"String\": ...} or {\"Regex\": ...}");
}

std::string inQuotes(std::string_view text)
{
    constexpr std::size_t maxShown = 60;
    std::size_t cut = std::min(text.size(), maxShown);
    while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut; // never cut a character in half
    std::string shown(text.substr(0, cut));
    for (char& c : shown) {
        if (c == '\n' || c == '\r')
            c = ' '; // messages stay on one line
    }
    return "'" + shown + (cut < text.size() ? "...'" : "'");
}

} // namespace glvq::tok
