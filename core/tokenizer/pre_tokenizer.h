// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Pre-tokenizers: cut normalised text into the words BPE merges within. Supported: ByteLevel (GPT-2
// regex and byte alphabet), Split (String or Regex pattern, every delimiter behaviour, invert),
// Metaspace (replacement, prepend_scheme always/first/never, split) and Sequence of these.
// Thread-safety: immutable after fromJson(); apply() works in the caller's PreTokenizeScratch.
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tokenizer/json_fields.h"
#include "core/tokenizer/regex.h"
#include "core/tokenizer/tokenizer.h"

namespace glvq::tok {

// One stretch of text on its way to the model. Text views point into the caller's input or into the
// scratch arena (for rewritten text), so splitting never copies.
struct Piece {
    std::string_view text;
    TokenId addedId = -1;   // >= 0: an added token, which no later stage touches
    bool byteLevel = false; // bytes still to be spelled in the byte alphabet (done by BpeModel)
    bool atOrigin = false;  // starts where the input starts (Metaspace prepend_scheme "first")
};

struct PreTokenizeScratch {
    std::deque<std::string> texts; // stable storage for rewritten pieces
    RegexScratch regex;
    std::vector<RegexMatch> matches;
    std::vector<Piece> next;

    std::string_view keep(std::string text)
    {
        texts.push_back(std::move(text));
        return texts.back();
    }
};

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

class PreTokenizer {
public:
    // nullopt for a JSON null pre-tokenizer.
    static std::optional<PreTokenizer> fromJson(const Json* spec, const FieldPath& at);

    // Rewrites `pieces` in place; added-token pieces pass through untouched.
    void apply(std::vector<Piece>& pieces, PreTokenizeScratch& scratch) const;

    bool hasByteLevel() const;
    bool hasMetaspace() const;

private:
    enum class Kind { Split, ByteLevel, Metaspace };
    enum class Prepend { Always, First, Never };

    struct Stage {
        Kind kind = Kind::Split;
        // Split (and ByteLevel's GPT-2 regex, Metaspace's delimiter)
        std::optional<Regex> regex;
        std::string literal;
        SplitBehavior behavior = SplitBehavior::Isolated;
        bool invert = false;
        // ByteLevel
        bool addPrefixSpace = false;
        bool useRegex = true;
        bool deferByteMapping = false; // last stage: let BpeModel spell bytes, without a copy
        // Metaspace
        Prepend prepend = Prepend::Always;
        bool split = true;
    };

    void parse(const Json& spec, const FieldPath& at);
    void applyStage(const Stage& stage, const Piece& piece, PreTokenizeScratch& scratch) const;

    std::vector<Stage> m_stages;
};

// Cuts `piece` at `matches` (sorted, non-overlapping) the way NormalizedString::split does and appends
// the non-empty results to `out`.
void splitPiece(const Piece& piece, const std::vector<RegexMatch>& matches, SplitBehavior behavior, bool invert,
                std::vector<Piece>& out);

// Non-overlapping occurrences of a literal (String patterns, Metaspace's delimiter).
void findLiteral(std::string_view text, std::string_view literal, std::vector<RegexMatch>& out);

} // namespace glvq::tok
