// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Regular expressions for the pre-tokenizers, through PCRE2 (UTF + UCP, JIT where available), which
// accepts the Oniguruma-style patterns tokenizer.json files carry (\p{L}, \p{N}, (?i:...), (?!...)).
// Without PCRE2 (GLVQ_WITH_PCRE2 undefined) constructing a Regex throws a glvq::Error naming the field.
// Thread-safety: a compiled Regex is immutable and shared; findAll() keeps its match state in the
// caller's RegexScratch, one per thread.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/tokenizer/json_fields.h"

namespace glvq::tok {

// Match state for one thread (PCRE2 match data and JIT stack), created on first use.
class RegexScratch {
public:
    RegexScratch();
    ~RegexScratch();
    RegexScratch(const RegexScratch&) = delete;
    RegexScratch& operator=(const RegexScratch&) = delete;

    struct State;
    State& state();

private:
    std::unique_ptr<State> m_state;
};

struct RegexMatch {
    std::size_t begin;
    std::size_t end;
};

class Regex {
public:
    Regex(const std::string& pattern, const FieldPath& at);

    // Appends the matches of the reference's find_iter: leftmost-first, non-overlapping, and an empty
    // match right after the previous match is skipped. `text` must be valid UTF-8.
    void findAll(std::string_view text, std::vector<RegexMatch>& out, RegexScratch& scratch) const;

    struct Compiled;

private:
    std::shared_ptr<const Compiled> m_compiled;
    std::string m_where; // "<source>: <field>" for match-time errors
};

bool regexSupported();

// Rust regex's Unicode \w (letters, marks, decimal digits, connector punctuation): single_word added
// tokens. ASCII is decided here; other code points ask PCRE2, or count as word characters without it.
bool isWordCharacter(char32_t cp);

// The GPT-2 pre-tokenizer pattern used by ByteLevel with use_regex.
inline constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

} // namespace glvq::tok
