// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The BPE model of a tokenizer.json ("model": {"type": "BPE", ...}): vocabulary, merges, byte fallback,
// unknown-token handling and the merge loop of the reference implementation
// (tokenizers/src/models/bpe/{model,word}.rs), so ids match it exactly.
// Thread-safety: immutable after fromJson(); tokenize() keeps its working memory in the caller's
// BpeScratch, so one model serves any number of threads, each with its own scratch.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/tokenizer/json_fields.h"
#include "core/tokenizer/pair_map.h"
#include "core/tokenizer/tokenizer.h"

namespace glvq::tok {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
using TokenMap = std::unordered_map<std::string, TokenId, StringHash, std::equal_to<>>;

struct BpeSymbol {
    TokenId id;
    std::int32_t prev;
    std::int32_t next;
    std::uint32_t length; // bytes of the word it covers; 0 once merged into its left neighbour
};

// Per-call working memory, reused across the words of one encode() call.
struct BpeScratch {
    std::vector<BpeSymbol> symbols;
    std::vector<std::uint64_t> heap;
    std::string mapped;
};

class BpeModel {
public:
    static BpeModel fromJson(const Json& model, const FieldPath& at);

    // Appends the ids of one pre-tokenized word. With `byteLevel` the word's bytes are spelled in the
    // GPT-2 byte alphabet first (the ByteLevel pre-tokenizer's rewrite, done here without a copy).
    void tokenize(std::string_view word, bool byteLevel, std::vector<TokenId>& out, BpeScratch& scratch) const;

    std::optional<TokenId> tokenToId(std::string_view token) const;
    const std::string* idToToken(TokenId id) const; // nullptr when no token has this id
    std::int32_t idBound() const { return static_cast<std::int32_t>(m_idToToken.size()); }
    bool byteFallback() const { return m_byteFallback; }

private:
    void tokenizeChunked(std::string_view text, std::vector<TokenId>& out, BpeScratch& scratch) const;
    void tokenizeText(std::string_view text, std::vector<TokenId>& out, BpeScratch& scratch) const;
    void addSymbols(std::string_view text, BpeScratch& scratch) const;
    void mergeAll(BpeScratch& scratch) const;
    TokenId charId(char32_t cp) const;

    TokenMap m_vocab;
    std::vector<std::string> m_idToToken;
    std::vector<bool> m_hasId;
    PairMap m_merges;
    // Code point pairs that stand side by side inside some vocabulary token. A merge can join two symbols
    // only into a vocabulary token, so no merge ever crosses a boundary between two known characters
    // that is not in this set: long words are cut there and merged piece by piece, with the same result.
    PairMap m_adjacentChars;
    std::vector<TokenId> m_bmpCharIds;                      // single-character tokens below U+10000
    std::unordered_map<char32_t, TokenId> m_astralCharIds;  // and above
    std::vector<TokenId> m_byteFallbackIds;                 // <0xXX> per byte, -1 when absent
    std::vector<TokenId> m_byteLevelIds;                    // byte-alphabet character per byte, -1 when absent
    bool m_allByteLevelIds = false;
    std::optional<std::string> m_unkToken;
    std::optional<TokenId> m_unkId;
    std::string m_unkError; // thrown when an unknown character needs an unk token the vocabulary lacks
    bool m_fuseUnk = false;
    bool m_byteFallback = false;
    bool m_ignoreMerges = false;
};

} // namespace glvq::tok
