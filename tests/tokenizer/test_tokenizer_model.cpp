// SPDX-License-Identifier: GPL-3.0-or-later
// The BPE model, added tokens, normalisers, post-processors and decoders on tiny hand-built tokenizers
// whose expected ids follow from the reference implementation's rules.
#include <gtest/gtest.h>

#include "core/tokenizer/tokenizer.h"
#include "core/util/error.h"
#include "tests/support/fixtures.h"
#include "tests/tokenizer/tokenizer_test_util.h"

namespace glvq::test {
namespace {

using nlohmann::json;
using tok::TokenId;
using Ids = std::vector<TokenId>;

// A plain BPE tokenizer.json: ids follow the order of `vocab`; no normaliser, pre-tokenizer,
// post-processor or decoder unless a test sets them.
json plainTokenizer(const std::vector<std::string>& vocab, const std::vector<std::pair<std::string, std::string>>& merges)
{
    json vocabJson = json::object();
    for (const std::string& token : vocab)
        vocabJson[token] = static_cast<int>(vocabJson.size());
    json mergesJson = json::array();
    for (const auto& [left, right] : merges)
        mergesJson.push_back({left, right});
    return {{"added_tokens", json::array()},
            {"normalizer", nullptr},
            {"pre_tokenizer", nullptr},
            {"post_processor", nullptr},
            {"decoder", nullptr},
            {"model", {{"type", "BPE"}, {"unk_token", nullptr}, {"vocab", vocabJson}, {"merges", mergesJson}}}};
}

tok::Tokenizer load(const json& document)
{
    return tok::Tokenizer::fromJson(document.dump(), "tiny.json");
}

json addedToken(const std::string& content, bool special, const json& options = json::object())
{
    json token = {{"id", 100}, {"content", content}, {"single_word", false}, {"lstrip", false}, {"rstrip", false},
                  {"normalized", !special}, {"special", special}};
    token.update(options);
    return token;
}

TEST(TokenizerModel, MergesLowestRankThenLeftmost)
{
    // a=0 aa=1 aaaa=2: in "aaaaa" the three (a, a) pairs tie on rank; the leftmost goes first.
    const auto tokenizer = load(plainTokenizer({"a", "aa", "aaaa"}, {{"a", "a"}, {"aa", "aa"}}));
    EXPECT_EQ(tokenizer.encode("aaa"), (Ids{1, 0}));
    EXPECT_EQ(tokenizer.encode("aaaaa"), (Ids{2, 0}));
    EXPECT_EQ(tokenizer.encode("aaaaaa"), (Ids{2, 1}));
    // The rank decides, not the position: (b, c) outranks (a, b).
    const auto ranked = load(plainTokenizer({"a", "b", "c", "bc", "ab"}, {{"b", "c"}, {"a", "b"}}));
    EXPECT_EQ(ranked.encode("abc"), (Ids{0, 3}));
}

TEST(TokenizerModel, MergesAsStringsEqualMergesAsArrays)
{
    json document = loadFixtureJson("bpe-gpt2style-4k/tokenizer.json");
    json legacy = json::array();
    for (const json& merge : document["model"]["merges"])
        legacy.push_back(merge[0].get<std::string>() + " " + merge[1].get<std::string>());
    document["model"]["merges"] = legacy;
    const auto tokenizer = tok::Tokenizer::fromJson(document.dump(), "legacy-merges.json");
    const std::string text = fixtureText("eval_tech").substr(0, 100000);
    EXPECT_EQ(tokenizer.encode(text), gpt2Tokenizer().encode(text));
}

TEST(TokenizerModel, IgnoreMergesEmitsWholeVocabularyWords)
{
    json document = plainTokenizer({"a", "b", "c", "bc", "abc"}, {{"b", "c"}});
    EXPECT_EQ(load(document).encode("abc"), (Ids{0, 3}));
    document["model"]["ignore_merges"] = true;
    EXPECT_EQ(load(document).encode("abc"), (Ids{4}));
    EXPECT_EQ(load(document).encode("abcb"), (Ids{0, 3, 1}));
}

TEST(TokenizerModel, UnknownCharacters)
{
    json document = plainTokenizer({"<unk>", "a", "b"}, {});
    EXPECT_EQ(load(document).encode("axyb"), (Ids{1, 2})) << "no unk token: the reference drops them";
    document["model"]["unk_token"] = "<unk>";
    EXPECT_EQ(load(document).encode("axyb"), (Ids{1, 0, 0, 2}));
    document["model"]["fuse_unk"] = true;
    EXPECT_EQ(load(document).encode("axyb"), (Ids{1, 0, 2}));
    // Byte fallback needs every byte of the character; one missing byte means the unk token.
    document["model"]["byte_fallback"] = true;
    document["model"]["vocab"]["<0x78>"] = 3; // 'x'
    EXPECT_EQ(load(document).encode("axyb"), (Ids{1, 3, 0, 2}));
    document["model"]["unk_token"] = "<missing>";
    EXPECT_THROW(load(document).encode("y"), Error);
}

TEST(TokenizerAddedTokens, LongestMatchAndStripOptions)
{
    json document = plainTokenizer({"a", "b", " ", "<x>", "<x><y>", "[m]"}, {});
    document["added_tokens"] = json::array({addedToken("<x>", true), addedToken("<x><y>", true),
                                            addedToken("[m]", true, {{"lstrip", true}, {"rstrip", true}})});
    const auto tokenizer = load(document);
    EXPECT_EQ(tokenizer.encode("a<x><y>b<x>"), (Ids{0, 4, 1, 3}));
    EXPECT_EQ(tokenizer.encode("a  [m]  b"), (Ids{0, 5, 1})); // the spaces go with the token
    EXPECT_EQ(tokenizer.decode(tokenizer.encode("a<x>b")), "a <x> b") << "no decoder: tokens joined by spaces";
    EXPECT_EQ(tokenizer.decode(tokenizer.encode("a<x>b"), true), "a b");
}

TEST(TokenizerAddedTokens, SingleWordAndNormalizedTokens)
{
    json document = plainTokenizer({"a", "b", "c", " ", "y", "X", "ab", "yy"}, {});
    document["added_tokens"] = json::array({addedToken("ab", false, {{"single_word", true}}), addedToken("yy", false)});
    document["normalizer"] = {{"type", "Replace"}, {"pattern", {{"String", "x"}}}, {"content", "y"}};
    const auto tokenizer = load(document);
    // "ab" inside "cab" is not a single word; "xx" normalises to the normalized token "yy".
    EXPECT_EQ(tokenizer.encode("ab cab ab"), (Ids{6, 3, 2, 0, 1, 3, 6}));
    EXPECT_EQ(tokenizer.encode("axxb"), (Ids{0, 7, 1}));
    EXPECT_EQ(tokenizer.encode("aXb"), (Ids{0, 5, 1}));
}

TEST(TokenizerProcessing, TemplatesAndSequences)
{
    json document = plainTokenizer({"<s>", "</s>", "a"}, {});
    document["added_tokens"] = json::array({addedToken("<s>", true), addedToken("</s>", true)});
    const json special = {{"<s>", {{"id", "<s>"}, {"ids", {0}}, {"tokens", {"<s>"}}}},
                          {"</s>", {{"id", "</s>"}, {"ids", {1}}, {"tokens", {"</s>"}}}}};
    const json templateProcessing = {
        {"type", "TemplateProcessing"},
        {"single", {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                    {{"SpecialToken", {{"id", "</s>"}, {"type_id", 0}}}}}},
        {"special_tokens", special}};
    // Llama-3 style: ByteLevel (offsets only) then the template.
    document["post_processor"] = {{"type", "Sequence"},
                                  {"processors", {{{"type", "ByteLevel"}, {"trim_offsets", false}}, templateProcessing}}};
    const auto tokenizer = load(document);
    EXPECT_EQ(tokenizer.encode("aa"), (Ids{0, 2, 2, 1}));
    EXPECT_EQ(tokenizer.encode("aa", false), (Ids{2, 2}));
    document["post_processor"] = {{"type", "TemplateProcessing"}, {"single", "<s> $A"}, {"special_tokens", special}};
    EXPECT_EQ(load(document).encode("a"), (Ids{0, 2}));
}

TEST(TokenizerProcessing, NormalisersAndDecoders)
{
    json document = plainTokenizer({"_", "a", "b", " "}, {});
    document["normalizer"] = {{"type", "Sequence"},
                              {"normalizers",
                               {{{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}},
                                {{"type", "Prepend"}, {"prepend", "_"}},
                                {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "_"}}}}};
    document["decoder"] = {{"type", "Sequence"},
                           {"decoders",
                            {{{"type", "Replace"}, {"pattern", {{"String", "_"}}}, {"content", " "}},
                             {{"type", "Fuse"}},
                             {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 1}}}}};
    const auto tokenizer = load(document);
    EXPECT_EQ(tokenizer.encode(" \ta b \n"), (Ids{0, 1, 0, 2}));
    EXPECT_EQ(tokenizer.decode(Ids{0, 1, 0, 2, 0}), "a b");
    EXPECT_EQ(tokenizer.encode("   "), Ids{}) << "Prepend leaves an empty text empty";
}

} // namespace
} // namespace glvq::test
