// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Post-processors: what encode() adds around a single sequence when special tokens are asked for.
// TemplateProcessing (the "single" template), ByteLevel (offsets only: nothing to do for ids) and
// Sequence of these are supported; Roberta/Bert processing are rejected with the field named.
// Thread-safety: immutable after fromJson(); apply() is const and reentrant.
#include <vector>

#include "core/tokenizer/json_fields.h"
#include "core/tokenizer/tokenizer.h"

namespace glvq::tok {

class PostProcessor {
public:
    static PostProcessor fromJson(const Json* spec, const FieldPath& at);

    void apply(std::vector<TokenId>& ids) const;

private:
    // One template: ids to emit, and where the encoded sequence goes (isSequence).
    struct Item {
        bool isSequence = false;
        std::vector<TokenId> ids;
    };
    using Template = std::vector<Item>;

    void parse(const Json& spec, const FieldPath& at);
    void parseTemplate(const Json& spec, const FieldPath& at);

    std::vector<Template> m_templates; // applied in order (a Sequence may hold several)
};

} // namespace glvq::tok
