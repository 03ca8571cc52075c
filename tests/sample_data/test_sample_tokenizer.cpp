// SPDX-License-Identifier: GPL-3.0-or-later
// The sample tokenizer.json, read by core/tokenizer, reproduces SentencePiece's ids on the committed texts:
// texts/reference_ids.json holds, per text, the count, the SHA-256 of the ids (decimal, comma-joined) and the
// first ids, all computed by spm (python3-sentencepiece) when the tokenizer was made.
#include "core/tokenizer/tokenizer.h"
#include "core/util/sha256.h"
#include "core/util/text_file.h"
#include "tests/sample_data/sample_paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

std::string idsDigest(const std::vector<glvq::tok::TokenId>& ids)
{
    std::string joined;
    for (std::size_t i = 0; i < ids.size(); ++i)
        joined += (i ? "," : "") + std::to_string(ids[i]);
    glvq::Sha256 sha;
    sha.update(joined);
    return sha.hexDigest();
}

} // namespace

TEST(SampleTokenizer, MatchesSentencePieceIdsOnCommittedTexts)
{
    const auto tokenizer = glvq::tok::Tokenizer::fromFile(glvq::test::samplePath("model/tokenizer.json"));
    const auto reference
        = nlohmann::json::parse(glvq::readTextFile(glvq::test::samplePath("texts/reference_ids.json")));
    ASSERT_GE(reference["texts"].size(), 2u);
    for (const auto& [name, expected] : reference["texts"].items()) {
        SCOPED_TRACE(name);
        const auto ids = tokenizer.encode(glvq::readTextFile(glvq::test::samplePath("texts/" + name)));
        ASSERT_EQ(static_cast<std::int64_t>(ids.size()), expected["count"].get<std::int64_t>());
        const auto first = expected["first_ids"].get<std::vector<glvq::tok::TokenId>>();
        EXPECT_EQ(std::vector<glvq::tok::TokenId>(ids.begin(), ids.begin() + first.size()), first);
        EXPECT_EQ(idsDigest(ids), expected["ids_sha256"].get<std::string>());
    }
}

TEST(SampleTokenizer, HasLlamaSpecialTokensAndByteFallback)
{
    const auto tokenizer = glvq::tok::Tokenizer::fromFile(glvq::test::samplePath("model/tokenizer.json"));
    EXPECT_EQ(tokenizer.vocabSize(), 4096);
    EXPECT_EQ(tokenizer.tokenToId("<unk>"), 0);
    EXPECT_EQ(tokenizer.tokenToId("<s>"), 1);
    EXPECT_EQ(tokenizer.tokenToId("</s>"), 2);
    // A character outside the training alphabet falls back to its UTF-8 bytes, and decodes back.
    const std::string text = "Anne \xe2\x98\x83 Elliot"; // U+2603 SNOWMAN
    const auto ids = tokenizer.encode(text);
    EXPECT_EQ(ids.front(), 1);
    EXPECT_NE(std::find(ids.begin(), ids.end(), *tokenizer.tokenToId("<0xE2>")), ids.end());
    EXPECT_EQ(tokenizer.decode(ids, /*skipSpecialTokens=*/true), text);
}
