// SPDX-License-Identifier: GPL-3.0-or-later
// Loading the BPE model: vocabulary, merges and the lookup tables the merge loop uses.
#include "core/tokenizer/bpe_model.h"

#include <cstdio>

#include "core/tokenizer/byte_level.h"
#include "core/tokenizer/utf8.h"

namespace glvq::tok {

namespace {

constexpr char32_t kBmpEnd = 0x10000;

// A merge is ["a", "b"] (tokenizers >= 0.20) or the legacy "a b" (split at the first space).
std::pair<std::string, std::string> parseMerge(const Json& entry, const FieldPath& at)
{
    if (entry.is_array()) {
        if (entry.size() != 2)
            at.fail("must hold exactly two tokens");
        return {requireString(entry[0], at[0]), requireString(entry[1], at[1])};
    }
    if (!entry.is_string())
        at.fail("must be a string \"a b\" or an array [\"a\", \"b\"]");
    const std::string line = entry.get<std::string>();
    const std::size_t space = line.find(' ');
    if (space == std::string::npos)
        at.fail(inQuotes(line) + " must be two tokens separated by a space");
    return {line.substr(0, space), line.substr(space + 1)};
}

void rejectAffix(const Json& model, const std::string& key, const FieldPath& at)
{
    const Json* affix = findMember(model, key);
    if (affix == nullptr)
        return;
    if (!affix->is_string())
        (at / key).fail("must be a string or null");
    if (!affix->get<std::string>().empty())
        (at / key).fail(inQuotes(affix->get<std::string>()) + " is not supported (only null)");
}

} // namespace

BpeModel BpeModel::fromJson(const Json& model, const FieldPath& at)
{
    BpeModel bpe;
    if (const Json* dropout = findMember(model, "dropout")) {
        if (!dropout->is_number() || dropout->get<double>() != 0.0)
            (at / "dropout").fail("is not supported (BPE dropout is for training; expected null)");
    }
    rejectAffix(model, "continuing_subword_prefix", at);
    rejectAffix(model, "end_of_word_suffix", at);
    bpe.m_fuseUnk = boolMember(model, "fuse_unk", false, at);
    bpe.m_byteFallback = boolMember(model, "byte_fallback", false, at);
    bpe.m_ignoreMerges = boolMember(model, "ignore_merges", false, at);

    const FieldPath vocabAt = at / "vocab";
    const Json& vocab = requireObject(requireMember(model, "vocab", at), vocabAt);
    bpe.m_vocab.reserve(vocab.size());
    for (const auto& [token, idJson] : vocab.items()) {
        if (!idJson.is_number_integer() || idJson.get<std::int64_t>() < 0 || idJson.get<std::int64_t>() > INT32_MAX)
            (vocabAt / inQuotes(token)).fail("must be a non-negative integer id");
        const auto id = static_cast<TokenId>(idJson.get<std::int64_t>());
        bpe.m_vocab.emplace(token, id);
        if (static_cast<std::size_t>(id) >= bpe.m_idToToken.size()) {
            bpe.m_idToToken.resize(static_cast<std::size_t>(id) + 1);
            bpe.m_hasId.resize(static_cast<std::size_t>(id) + 1, false);
        }
        bpe.m_idToToken[static_cast<std::size_t>(id)] = token;
        bpe.m_hasId[static_cast<std::size_t>(id)] = true;
    }

    bpe.m_bmpCharIds.assign(kBmpEnd, -1);
    for (const auto& [token, id] : bpe.m_vocab) {
        if (token.empty() || utf8SequenceLength(static_cast<unsigned char>(token[0])) != token.size())
            continue;
        std::size_t pos = 0;
        const char32_t cp = decodeUtf8(token, pos);
        if (cp < kBmpEnd)
            bpe.m_bmpCharIds[cp] = id;
        else
            bpe.m_astralCharIds.emplace(cp, id);
    }

    for (const auto& [token, id] : bpe.m_vocab) {
        std::size_t pos = 0;
        char32_t previous = 0;
        for (bool first = true; pos < token.size(); first = false) {
            const char32_t cp = decodeUtf8(token, pos);
            if (!first)
                bpe.m_adjacentChars.insertOrAssign(static_cast<std::int32_t>(previous), static_cast<std::int32_t>(cp), {});
            previous = cp;
        }
    }

    bpe.m_byteFallbackIds.assign(256, -1);
    bpe.m_byteLevelIds.assign(256, -1);
    bpe.m_allByteLevelIds = true;
    for (unsigned b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        if (const auto id = bpe.tokenToId(name))
            bpe.m_byteFallbackIds[b] = *id;
        if (const auto id = bpe.tokenToId(byteAlphabet().byteToUtf8[b]))
            bpe.m_byteLevelIds[b] = *id;
        else
            bpe.m_allByteLevelIds = false;
    }

    if (const Json* unk = findMember(model, "unk_token")) {
        bpe.m_unkToken = requireString(*unk, at / "unk_token");
        bpe.m_unkId = bpe.tokenToId(*bpe.m_unkToken);
        // The reference loads such a file and fails only when an unknown character needs the token.
        bpe.m_unkError = at.source() + ": model.unk_token " + inQuotes(*bpe.m_unkToken) + " is not in model.vocab";
    }

    const FieldPath mergesAt = at / "merges";
    const Json& merges = requireArray(requireMember(model, "merges", at), mergesAt);
    bpe.m_merges.reserve(merges.size());
    std::string joined;
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const FieldPath mergeAt = mergesAt[rank];
        const auto [left, right] = parseMerge(merges[rank], mergeAt);
        const auto leftId = bpe.tokenToId(left);
        const auto rightId = bpe.tokenToId(right);
        joined = left + right;
        const auto newId = bpe.tokenToId(joined);
        if (!leftId || !rightId || !newId) {
            const std::string& missing = !leftId ? left : !rightId ? right : joined;
            mergeAt.fail("token " + inQuotes(missing) + " is not in model.vocab");
        }
        bpe.m_merges.insertOrAssign(*leftId, *rightId, MergeRule{static_cast<std::uint32_t>(rank), *newId});
    }
    return bpe;
}

std::optional<TokenId> BpeModel::tokenToId(std::string_view token) const
{
    const auto it = m_vocab.find(token);
    if (it == m_vocab.end())
        return std::nullopt;
    return it->second;
}

const std::string* BpeModel::idToToken(TokenId id) const
{
    if (id < 0 || static_cast<std::size_t>(id) >= m_idToToken.size() || !m_hasId[static_cast<std::size_t>(id)])
        return nullptr;
    return &m_idToToken[static_cast<std::size_t>(id)];
}

TokenId BpeModel::charId(char32_t cp) const
{
    if (cp < kBmpEnd)
        return m_bmpCharIds[cp];
    const auto it = m_astralCharIds.find(cp);
    return it == m_astralCharIds.end() ? -1 : it->second;
}

} // namespace glvq::tok
