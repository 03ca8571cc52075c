// SPDX-License-Identifier: GPL-3.0-or-later
// Tokenizing one word with the BPE model: initial symbols (characters, byte fallback, unknown tokens) and
// the heap-based merge loop. Both follow tokenizers/src/models/bpe/{model.rs merge_word, word.rs
// merge_all} step by step, because any deviation in tie-breaking changes ids.
#include "core/tokenizer/bpe_model.h"

#include <algorithm>

#include "core/tokenizer/byte_level.h"
#include "core/tokenizer/utf8.h"
#include "core/util/error.h"

namespace glvq::tok {

namespace {

constexpr std::size_t kChunkBytes = 256; // words longer than this are merged in pieces where that is exact

void addSymbol(std::vector<BpeSymbol>& symbols, TokenId id, std::size_t length)
{
    const auto index = static_cast<std::int32_t>(symbols.size());
    if (!symbols.empty())
        symbols.back().next = index;
    symbols.push_back(BpeSymbol{id, index - 1, -1, static_cast<std::uint32_t>(length)});
}

// Heap entries pack (rank, position) so that the smallest key is the lowest rank, then the leftmost
// position: exactly the order of the reference's Merge ordering.
std::uint64_t heapKey(std::uint32_t rank, std::int32_t pos)
{
    return (std::uint64_t(rank) << 32) | std::uint32_t(pos);
}

} // namespace

void BpeModel::tokenize(std::string_view word, bool byteLevel, std::vector<TokenId>& out, BpeScratch& scratch) const
{
    if (word.empty())
        return;
    std::string_view text = word;
    if (byteLevel && (m_ignoreMerges || !m_allByteLevelIds)) {
        scratch.mapped.clear();
        appendByteLevel(scratch.mapped, word);
        text = scratch.mapped;
        byteLevel = false;
    }
    if (m_ignoreMerges) {
        // Llama-3 style: a word that is a whole vocabulary entry is emitted as it is.
        if (const auto id = tokenToId(text)) {
            out.push_back(*id);
            return;
        }
    }
    if (byteLevel) {
        // Every byte's alphabet character is in the vocabulary: one symbol per byte, no string needed.
        scratch.symbols.clear();
        for (const char c : text)
            addSymbol(scratch.symbols, m_byteLevelIds[static_cast<unsigned char>(c)], 1);
        if (scratch.symbols.size() > 1)
            mergeAll(scratch);
        for (const BpeSymbol& symbol : scratch.symbols) {
            if (symbol.length != 0)
                out.push_back(symbol.id);
        }
        return;
    }
    if (text.size() > kChunkBytes)
        tokenizeChunked(text, out, scratch);
    else
        tokenizeText(text, out, scratch);
}

void BpeModel::tokenizeChunked(std::string_view text, std::vector<TokenId>& out, BpeScratch& scratch) const
{
    // A SentencePiece-style tokenizer without a pre-tokenizer hands the whole text over as one word.
    // Merging it in one heap is correct but cache-hostile; cutting it where no merge can cross keeps
    // each heap small and gives the same ids (see m_adjacentChars).
    std::size_t chunkStart = 0;
    std::size_t pos = 0;
    char32_t previous = 0;
    bool previousKnown = false;
    while (pos < text.size()) {
        const std::size_t start = pos;
        const char32_t cp = decodeUtf8(text, pos);
        const bool known = charId(cp) >= 0;
        if (start - chunkStart >= kChunkBytes / 2 && previousKnown && known
            && m_adjacentChars.find(static_cast<std::int32_t>(previous), static_cast<std::int32_t>(cp)) == nullptr) {
            tokenizeText(text.substr(chunkStart, start - chunkStart), out, scratch);
            chunkStart = start;
        }
        previous = cp;
        previousKnown = known;
    }
    tokenizeText(text.substr(chunkStart), out, scratch);
}

void BpeModel::tokenizeText(std::string_view text, std::vector<TokenId>& out, BpeScratch& scratch) const
{
    scratch.symbols.clear();
    addSymbols(text, scratch);
    if (scratch.symbols.size() > 1)
        mergeAll(scratch);
    for (const BpeSymbol& symbol : scratch.symbols) {
        if (symbol.length != 0)
            out.push_back(symbol.id);
    }
}

void BpeModel::addSymbols(std::string_view text, BpeScratch& scratch) const
{
    std::vector<BpeSymbol>& symbols = scratch.symbols;
    TokenId pendingUnk = -1; // an unknown-token symbol not yet added (so that fuse_unk can grow it)
    std::size_t pendingLength = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t start = pos;
        const char32_t cp = decodeUtf8(text, pos);
        const std::size_t length = pos - start;
        const TokenId id = charId(cp);
        if (id >= 0) {
            if (pendingUnk >= 0) {
                addSymbol(symbols, pendingUnk, pendingLength);
                pendingUnk = -1;
            }
            addSymbol(symbols, id, length);
            continue;
        }
        if (m_byteFallback) {
            bool allBytes = true;
            for (std::size_t i = start; i < pos; ++i)
                allBytes = allBytes && m_byteFallbackIds[static_cast<unsigned char>(text[i])] >= 0;
            if (allBytes) {
                // As in the reference, a pending unknown token is not flushed here.
                for (std::size_t i = start; i < pos; ++i)
                    addSymbol(symbols, m_byteFallbackIds[static_cast<unsigned char>(text[i])], 1);
                continue;
            }
        }
        if (!m_unkToken)
            continue; // no unk token: the reference drops the character
        if (!m_unkId)
            throw Error(m_unkError);
        if (pendingUnk >= 0 && m_fuseUnk) {
            pendingLength += length;
            continue;
        }
        if (pendingUnk >= 0)
            addSymbol(symbols, pendingUnk, pendingLength);
        pendingUnk = *m_unkId;
        pendingLength = length;
    }
    if (pendingUnk >= 0)
        addSymbol(symbols, pendingUnk, pendingLength);
}

void BpeModel::mergeAll(BpeScratch& scratch) const
{
    std::vector<BpeSymbol>& symbols = scratch.symbols;
    std::vector<std::uint64_t>& heap = scratch.heap;
    const std::greater<std::uint64_t> later; // min-heap
    heap.clear();
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
        if (const MergeRule* rule = m_merges.find(symbols[i].id, symbols[i + 1].id))
            heap.push_back(heapKey(rule->rank, static_cast<std::int32_t>(i)));
    }
    std::make_heap(heap.begin(), heap.end(), later);

    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), later);
        const std::uint64_t top = heap.back();
        heap.pop_back();
        const auto rank = static_cast<std::uint32_t>(top >> 32);
        const auto pos = static_cast<std::int32_t>(top & 0xFFFFFFFFu);
        BpeSymbol& current = symbols[static_cast<std::size_t>(pos)];
        if (current.length == 0 || current.next < 0)
            continue;
        const BpeSymbol right = symbols[static_cast<std::size_t>(current.next)];
        // A stale entry: the pair at `pos` changed since it was queued. The reference compares the new
        // id; comparing the rank is equivalent (a changed pair spells a longer string, so it can only map
        // to a different merge) and saves keeping the id in the heap.
        const MergeRule* rule = m_merges.find(current.id, right.id);
        if (rule == nullptr || rule->rank != rank)
            continue;

        symbols[static_cast<std::size_t>(current.next)].length = 0;
        current.id = rule->newId;
        current.length += right.length;
        current.next = right.next;
        if (right.next >= 0)
            symbols[static_cast<std::size_t>(right.next)].prev = pos;

        if (current.prev >= 0) {
            const BpeSymbol& previous = symbols[static_cast<std::size_t>(current.prev)];
            if (const MergeRule* left = m_merges.find(previous.id, current.id)) {
                heap.push_back(heapKey(left->rank, current.prev));
                std::push_heap(heap.begin(), heap.end(), later);
            }
        }
        if (current.next >= 0) {
            const BpeSymbol& following = symbols[static_cast<std::size_t>(current.next)];
            if (const MergeRule* next = m_merges.find(current.id, following.id)) {
                heap.push_back(heapKey(next->rank, pos));
                std::push_heap(heap.begin(), heap.end(), later);
            }
        }
    }
}

} // namespace glvq::tok
