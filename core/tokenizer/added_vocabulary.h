// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Added tokens (tokenizer.json "added_tokens"): special and user-added tokens that are cut out of the input
// before normalisation and pre-tokenisation. Matching is leftmost-longest like the reference's
// Aho-Corasick automaton, with its single_word / lstrip / rstrip rules. Tokens with "normalized": false
// are matched in the raw input; those with "normalized": true in each normalised segment, against their
// own normalised content.
// Thread-safety: immutable after construction; all methods are const and reentrant.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/tokenizer/bpe_model.h"
#include "core/tokenizer/json_fields.h"

namespace glvq::tok {

class Normalizer;

struct AddedToken {
    std::string content;
    TokenId id = -1;
    bool singleWord = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = true;
    bool special = false;
};

// A stretch of text: an added token (id >= 0) or ordinary text between tokens (id == -1).
struct TextSpan {
    std::size_t begin;
    std::size_t end;
    TokenId id;
};

class AddedVocabulary {
public:
    AddedVocabulary() = default;
    static AddedVocabulary fromJson(const Json* addedTokens, const FieldPath& at, const BpeModel& model,
                                    const Normalizer* normalizer);

    // Cuts `text` into spans covering it entirely (empty text gives no spans). `normalizedSet` picks the
    // tokens matched after normalisation.
    void split(std::string_view text, bool normalizedSet, std::vector<TextSpan>& out) const;
    bool hasTokens(bool normalizedSet) const { return !trie(normalizedSet).nodes.empty(); }

    const AddedToken* byId(TokenId id) const;
    std::optional<TokenId> idOf(std::string_view content) const;
    bool isSpecialContent(std::string_view content) const;
    TokenId maxId() const { return m_maxId; }

private:
    // A byte trie; node 0 is the root. Child lookups go through a sorted edge list per node: added-token
    // sets are small and matches are attempted only where a token's first byte occurs.
    struct Trie {
        struct Node {
            std::vector<std::pair<unsigned char, std::int32_t>> edges;
            std::int32_t token = -1; // index into m_tokens of the token ending here
        };
        std::vector<Node> nodes;
        bool firstByte[256] = {};
        void insert(std::string_view pattern, std::int32_t token);
        // Longest token starting at `pos`: (token index, end), or token index -1.
        std::pair<std::int32_t, std::size_t> longestAt(std::string_view text, std::size_t pos) const;
    };

    const Trie& trie(bool normalizedSet) const { return normalizedSet ? m_normalizedTrie : m_rawTrie; }

    std::vector<AddedToken> m_tokens;
    std::unordered_map<TokenId, std::size_t> m_indexById;
    TokenMap m_idByContent;
    std::unordered_set<std::string, StringHash, std::equal_to<>> m_specialContents;
    Trie m_rawTrie;
    Trie m_normalizedTrie;
    TokenId m_maxId = -1;
};

} // namespace glvq::tok
