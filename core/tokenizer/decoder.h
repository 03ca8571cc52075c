// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Decoders: tokens back to text. Supported: ByteLevel, Metaspace, Replace (String pattern), ByteFallback,
// Fuse, Strip and Sequence of these; without a decoder tokens are joined with spaces, as the reference
// does. Each step works on the whole token list (the reference's decode_chain), because Strip and
// Metaspace act per token while ByteLevel and Fuse join them.
// Thread-safety: immutable after fromJson(); decode() is const and reentrant.
#include <string>
#include <vector>

#include "core/tokenizer/json_fields.h"

namespace glvq::tok {

class Decoder {
public:
    static Decoder fromJson(const Json* spec, const FieldPath& at);

    std::string decode(std::vector<std::string> tokens) const;

private:
    enum class Kind { ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip };
    struct Step {
        Kind kind;
        std::string pattern; // Replace: what is replaced; Metaspace, Strip: the character (UTF-8)
        std::string content; // Replace: the replacement
        char32_t character = 0;
        std::size_t start = 0; // Strip: characters to remove at the start, at the end
        std::size_t stop = 0;
        bool prependNever = false; // Metaspace prepend_scheme "never"
    };

    void parse(const Json& spec, const FieldPath& at);
    void run(const Step& step, std::vector<std::string>& tokens) const;

    std::vector<Step> m_steps;
    bool m_present = false;
};

} // namespace glvq::tok
