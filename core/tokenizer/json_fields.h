// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reading tokenizer.json fields with errors that name the file and the field's path
// ("tokenizer.json: model.merges[3] ..."), so every loader reports problems the same one-line way.
// Thread-safety: FieldPath is a small value type; the helpers are stateless.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace glvq::tok {

using Json = nlohmann::json;

class FieldPath {
public:
    FieldPath(const std::string& source, std::string path)
        : m_source(&source)
        , m_path(std::move(path))
    {
    }

    FieldPath operator/(std::string_view key) const;   // "a" / "b" -> "a.b"
    FieldPath operator[](std::size_t index) const;     // "a" [2] -> "a[2]"
    const std::string& source() const { return *m_source; }
    const std::string& path() const { return m_path; }

    // Throws glvq::Error "<source>: <path> <what>".
    [[noreturn]] void fail(const std::string& what) const;

private:
    const std::string* m_source;
    std::string m_path;
};

// The member `key` of `object`, or nullptr when it is absent or JSON null.
const Json* findMember(const Json& object, const std::string& key);

const Json& requireMember(const Json& object, const std::string& key, const FieldPath& at);
const Json& requireObject(const Json& value, const FieldPath& at);
const Json& requireArray(const Json& value, const FieldPath& at);
std::string requireString(const Json& value, const FieldPath& at);
std::string requireStringMember(const Json& object, const std::string& key, const FieldPath& at);
bool boolMember(const Json& object, const std::string& key, bool fallback, const FieldPath& at);
std::int64_t intMember(const Json& object, const std::string& key, std::int64_t fallback, const FieldPath& at);
// A string member that must hold exactly one code point (Metaspace replacement, Strip content).
char32_t charMember(const Json& object, const std::string& key, const FieldPath& at);

// The "type" member of a component, e.g. "BPE" or "Sequence".
std::string typeOf(const Json& component, const FieldPath& at);

// A { "String": "..." } or { "Regex": "..." } pattern object.
struct PatternSpec {
    bool isRegex = false;
    std::string text;
};
PatternSpec patternMember(const Json& object, const FieldPath& at);

// Single-quoted and shortened for messages.
std::string inQuotes(std::string_view text);

} // namespace glvq::tok
