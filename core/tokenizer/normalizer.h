// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The normalisers LLM tokenizer.json files use without Unicode tables: Prepend, Replace (String pattern)
// and Strip, possibly inside a Sequence. Unicode normal forms, lowercasing, BERT cleaning and the
// SentencePiece precompiled charsmap would need Unicode data and are rejected with the field named.
// Thread-safety: immutable after fromJson(); apply() is const and reentrant.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tokenizer/json_fields.h"

namespace glvq::tok {

class Normalizer {
public:
    // nullopt for a JSON null normaliser.
    static std::optional<Normalizer> fromJson(const Json* spec, const FieldPath& at);

    std::string apply(std::string_view text) const;
    // Whether any step prepends `text` (description: SentencePiece-style dummy prefix).
    bool prepends(std::string_view text) const;

private:
    struct Step {
        enum class Kind { Prepend, Replace, Strip } kind;
        std::string pattern; // Prepend: the prefix; Replace: what is replaced
        std::string content; // Replace: the replacement
        bool left = false;   // Strip
        bool right = false;  // Strip
    };

    void parse(const Json& spec, const FieldPath& at);

    std::vector<Step> m_steps;
};

} // namespace glvq::tok
