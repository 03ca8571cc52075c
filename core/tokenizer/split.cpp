// SPDX-License-Identifier: GPL-3.0-or-later
// The delimiter behaviours of tokenizers' NormalizedString::split, on views.
#include "core/tokenizer/pre_tokenizer.h"

#include <algorithm>

namespace glvq::tok {

namespace {

struct Part {
    std::size_t begin;
    std::size_t end;
    bool flag; // before the behaviour: "is a match"; after it: "is removed"
};

} // namespace

void findLiteral(std::string_view text, std::string_view literal, std::vector<RegexMatch>& out)
{
    if (literal.empty())
        return;
    std::size_t pos = 0;
    while ((pos = text.find(literal, pos)) != std::string_view::npos) {
        out.push_back({pos, pos + literal.size()});
        pos += literal.size();
    }
}

void splitPiece(const Piece& piece, const std::vector<RegexMatch>& matches, SplitBehavior behavior, bool invert,
                std::vector<Piece>& out)
{
    const std::size_t length = piece.text.size();
    if (length == 0)
        return;
    thread_local std::vector<Part> parts;
    thread_local std::vector<Part> kept;
    parts.clear();
    kept.clear();
    std::size_t previous = 0;
    for (const RegexMatch& match : matches) {
        if (previous != match.begin)
            parts.push_back({previous, match.begin, invert});
        parts.push_back({match.begin, match.end, !invert});
        previous = match.end;
    }
    if (previous != length)
        parts.push_back({previous, length, invert});

    switch (behavior) {
    case SplitBehavior::Isolated:
        for (const Part& part : parts)
            kept.push_back({part.begin, part.end, false});
        break;
    case SplitBehavior::Removed:
        kept = parts;
        break;
    case SplitBehavior::Contiguous: {
        bool previousMatch = false;
        for (const Part& part : parts) {
            if (part.flag == previousMatch && !kept.empty())
                kept.back().end = part.end;
            else
                kept.push_back({part.begin, part.end, false});
            previousMatch = part.flag;
        }
        break;
    }
    case SplitBehavior::MergedWithPrevious: {
        bool previousMatch = false;
        for (const Part& part : parts) {
            if (part.flag && !previousMatch && !kept.empty())
                kept.back().end = part.end;
            else
                kept.push_back({part.begin, part.end, false});
            previousMatch = part.flag;
        }
        break;
    }
    case SplitBehavior::MergedWithNext: {
        // The reference folds from the right: a match joins the part after it.
        bool previousMatch = false;
        for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
            if (it->flag && !previousMatch && !kept.empty())
                kept.back().begin = it->begin;
            else
                kept.push_back({it->begin, it->end, false});
            previousMatch = it->flag;
        }
        std::reverse(kept.begin(), kept.end());
        break;
    }
    }

    for (const Part& part : kept) {
        if (part.flag || part.begin == part.end)
            continue;
        Piece sub = piece;
        sub.text = piece.text.substr(part.begin, part.end - part.begin);
        sub.atOrigin = piece.atOrigin && part.begin == 0;
        out.push_back(sub);
    }
}

} // namespace glvq::tok
