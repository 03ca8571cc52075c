// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tokenizer/added_vocabulary.h"

#include <algorithm>

#include "core/tokenizer/normalizer.h"
#include "core/tokenizer/regex.h"
#include "core/tokenizer/utf8.h"

namespace glvq::tok {

namespace {

// The reference tests `\w$` / `^\w` and strips `\s*` with Rust's Unicode regex classes.
bool endsWithWordChar(std::string_view text)
{
    if (text.empty())
        return false;
    std::size_t start = text.size() - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
        --start;
    std::size_t pos = start;
    return isWordCharacter(decodeUtf8(text, pos));
}

bool startsWithWordChar(std::string_view text)
{
    std::size_t pos = 0;
    return !text.empty() && isWordCharacter(decodeUtf8(text, pos));
}

std::size_t leadingWhitespaceLength(std::string_view text)
{
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t next = pos;
        if (!isUnicodeWhitespace(decodeUtf8(text, next)))
            break;
        pos = next;
    }
    return pos;
}

std::size_t trailingWhitespaceStart(std::string_view text)
{
    std::size_t end = text.size();
    while (end > 0) {
        std::size_t start = end - 1;
        while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
            --start;
        std::size_t pos = start;
        if (!isUnicodeWhitespace(decodeUtf8(text, pos)))
            break;
        end = start;
    }
    return end;
}

} // namespace

void AddedVocabulary::Trie::insert(std::string_view pattern, std::int32_t token)
{
    if (nodes.empty())
        nodes.emplace_back();
    firstByte[static_cast<unsigned char>(pattern[0])] = true;
    std::int32_t node = 0;
    for (const char c : pattern) {
        const auto byte = static_cast<unsigned char>(c);
        auto& edges = nodes[static_cast<std::size_t>(node)].edges;
        const auto it = std::lower_bound(edges.begin(), edges.end(), std::make_pair(byte, std::int32_t(-1)));
        if (it != edges.end() && it->first == byte) {
            node = it->second;
        } else {
            const auto child = static_cast<std::int32_t>(nodes.size());
            edges.insert(it, {byte, child});
            nodes.emplace_back(); // invalidates `edges`, which is not used again
            node = child;
        }
    }
    auto& end = nodes[static_cast<std::size_t>(node)].token;
    if (end < 0)
        end = token; // the first of duplicate patterns wins, as in the automaton
}

std::pair<std::int32_t, std::size_t> AddedVocabulary::Trie::longestAt(std::string_view text, std::size_t pos) const
{
    std::pair<std::int32_t, std::size_t> best{-1, pos};
    std::int32_t node = 0;
    for (std::size_t i = pos; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        const auto& edges = nodes[static_cast<std::size_t>(node)].edges;
        const auto it = std::lower_bound(edges.begin(), edges.end(), std::make_pair(byte, std::int32_t(-1)));
        if (it == edges.end() || it->first != byte)
            break;
        node = it->second;
        if (nodes[static_cast<std::size_t>(node)].token >= 0)
            best = {nodes[static_cast<std::size_t>(node)].token, i + 1};
    }
    return best;
}

AddedVocabulary AddedVocabulary::fromJson(const Json* addedTokens, const FieldPath& at, const BpeModel& model,
                                          const Normalizer* normalizer)
{
    AddedVocabulary vocabulary;
    if (addedTokens == nullptr)
        return vocabulary;
    requireArray(*addedTokens, at);
    for (std::size_t i = 0; i < addedTokens->size(); ++i) {
        const FieldPath tokenAt = at[i];
        const Json& entry = requireObject((*addedTokens)[i], tokenAt);
        AddedToken token;
        token.content = requireStringMember(entry, "content", tokenAt);
        if (token.content.empty())
            continue; // the reference ignores empty added tokens
        token.singleWord = boolMember(entry, "single_word", false, tokenAt);
        token.lstrip = boolMember(entry, "lstrip", false, tokenAt);
        token.rstrip = boolMember(entry, "rstrip", false, tokenAt);
        token.normalized = boolMember(entry, "normalized", true, tokenAt);
        token.special = boolMember(entry, "special", false, tokenAt);
        // A token already in the model's vocabulary keeps the model's id, as in the reference.
        if (const auto modelId = model.tokenToId(token.content)) {
            token.id = *modelId;
        } else {
            const std::int64_t id = intMember(entry, "id", -1, tokenAt);
            if (id < 0 || id > INT32_MAX)
                (tokenAt / "id").fail("must be a non-negative integer for a token outside model.vocab");
            token.id = static_cast<TokenId>(id);
        }
        if (vocabulary.idOf(token.content))
            continue;
        vocabulary.m_maxId = std::max(vocabulary.m_maxId, token.id);
        if (token.special)
            vocabulary.m_specialContents.insert(token.content);
        vocabulary.m_idByContent.emplace(token.content, token.id);
        vocabulary.m_indexById.emplace(token.id, vocabulary.m_tokens.size());
        vocabulary.m_tokens.push_back(std::move(token));
    }
    // The reference builds its automata from the special tokens first, then the others.
    for (const bool specialPass : {true, false}) {
        for (std::size_t i = 0; i < vocabulary.m_tokens.size(); ++i) {
            const AddedToken& token = vocabulary.m_tokens[i];
            if (token.special != specialPass)
                continue;
            if (!token.normalized) {
                vocabulary.m_rawTrie.insert(token.content, static_cast<std::int32_t>(i));
                continue;
            }
            std::string pattern = token.content;
            if (normalizer != nullptr)
                pattern = normalizer->apply(token.content);
            if (!pattern.empty())
                vocabulary.m_normalizedTrie.insert(pattern, static_cast<std::int32_t>(i));
        }
    }
    return vocabulary;
}

void AddedVocabulary::split(std::string_view text, bool normalizedSet, std::vector<TextSpan>& out) const
{
    const Trie& matcher = trie(normalizedSet);
    std::size_t emitted = 0; // end of the last span pushed
    std::size_t pos = 0;
    while (!matcher.nodes.empty() && pos < text.size()) {
        if (!matcher.firstByte[static_cast<unsigned char>(text[pos])]) {
            ++pos;
            continue;
        }
        const auto [index, matchEnd] = matcher.longestAt(text, pos);
        if (index < 0) {
            ++pos;
            continue;
        }
        const AddedToken& token = m_tokens[static_cast<std::size_t>(index)];
        std::size_t start = pos;
        std::size_t stop = matchEnd;
        pos = matchEnd; // matches never overlap, even when one is then discarded
        if (token.singleWord) {
            const bool spaceBefore = start == 0 || !endsWithWordChar(text.substr(0, start));
            const bool spaceAfter = stop == text.size() || !startsWithWordChar(text.substr(stop));
            if (!spaceBefore || !spaceAfter)
                continue;
        }
        if (start < emitted)
            continue; // inside whitespace an earlier rstrip already took
        if (token.lstrip)
            start = std::max(trailingWhitespaceStart(text.substr(0, start)), emitted);
        if (token.rstrip)
            stop += leadingWhitespaceLength(text.substr(stop));
        if (emitted < start)
            out.push_back({emitted, start, -1});
        out.push_back({start, stop, token.id});
        emitted = stop;
        pos = std::max(pos, stop);
    }
    if (emitted < text.size())
        out.push_back({emitted, text.size(), -1});
}

const AddedToken* AddedVocabulary::byId(TokenId id) const
{
    const auto it = m_indexById.find(id);
    return it == m_indexById.end() ? nullptr : &m_tokens[it->second];
}

std::optional<TokenId> AddedVocabulary::idOf(std::string_view content) const
{
    const auto it = m_idByContent.find(content);
    if (it == m_idByContent.end())
        return std::nullopt;
    return it->second;
}

bool AddedVocabulary::isSpecialContent(std::string_view content) const
{
    return m_specialContents.find(content) != m_specialContents.end();
}

} // namespace glvq::tok
