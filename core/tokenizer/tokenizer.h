// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Tokenizers read from a Hugging Face tokenizer.json, reproducing the `tokenizers` library's ids exactly
// for the two families LLM checkpoints use:
//  - SentencePiece-style BPE (Llama-2): Prepend/Replace "▁" normaliser (or Metaspace pre-tokenizer),
//    byte fallback to <0xXX> tokens, BOS from the TemplateProcessing post-processor;
//  - byte-level BPE (GPT-2, Qwen2, Llama-3): ByteLevel pre-tokenizer with its regex (PCRE2), or a Split
//    pre-tokenizer with a custom pattern followed by ByteLevel.
// Added and special tokens are matched before normalisation, as the library does.
// Thread-safety: a constructed Tokenizer is immutable; encode() and decode() may run concurrently.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace glvq::tok {

using TokenId = std::int32_t;

class Tokenizer {
public:
    // Throws glvq::Error naming the file and the offending field for anything unsupported or malformed.
    static Tokenizer fromFile(const std::filesystem::path& tokenizerJson);
    static Tokenizer fromJson(std::string_view json, const std::string& sourceName);

    ~Tokenizer();
    Tokenizer(Tokenizer&&) noexcept;
    Tokenizer& operator=(Tokenizer&&) noexcept;

    // Ids of `text`; with addSpecialTokens the post-processor's template is applied (e.g. BOS first).
    std::vector<TokenId> encode(std::string_view text, bool addSpecialTokens = true) const;
    // Text of `ids` through the tokenizer's decoder; special tokens are dropped when asked.
    std::string decode(std::span<const TokenId> ids, bool skipSpecialTokens = false) const;

    std::int32_t vocabSize() const;                       // including added tokens
    std::optional<TokenId> tokenToId(std::string_view token) const;
    std::string idToToken(TokenId id) const;              // empty for an unknown id
    bool isSpecial(TokenId id) const;
    std::string description() const;                     // e.g. "BPE, SentencePiece-style, 8192 tokens"

    struct Impl;

private:
    explicit Tokenizer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace glvq::tok
