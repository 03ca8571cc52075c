// SPDX-License-Identifier: GPL-3.0-or-later
// Pre-tokenizer splits (Qwen2 / GPT-2 regexes, Metaspace), a Qwen2-style tokenizer built in the test, and
// the Metaspace variants of the Llama tokenizer against the reference ids.
#include <gtest/gtest.h>

#include "core/tokenizer/pre_tokenizer.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/support/fixtures.h"
#include "tests/tokenizer/tokenizer_test_util.h"

namespace glvq::test {
namespace {

using nlohmann::json;
using tok::TokenId;

const char* const kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

json qwen2PreTokenizer()
{
    return {{"type", "Sequence"},
            {"pretokenizers",
             {{{"type", "Split"}, {"pattern", {{"Regex", kQwen2Pattern}}}, {"behavior", "Isolated"}, {"invert", false}},
              {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}}}}};
}

// The pieces a pre-tokenizer makes of `pieces` (raw text: byte-level spelling is left to the model).
std::vector<std::string> preTokenize(const json& spec, std::vector<tok::Piece> pieces)
{
    const std::string source = "test.json";
    const auto preTokenizer = tok::PreTokenizer::fromJson(&spec, tok::FieldPath(source, "pre_tokenizer"));
    tok::PreTokenizeScratch scratch;
    preTokenizer->apply(pieces, scratch);
    std::vector<std::string> texts;
    for (const tok::Piece& piece : pieces)
        texts.emplace_back(piece.text);
    return texts;
}

std::vector<std::string> preTokenize(const json& spec, const std::string& text)
{
    return preTokenize(spec, {tok::Piece{text, -1, false, true}});
}

// Contractions, single digits, newlines, accented and combining letters, CJK, trailing spaces. The
// expected pieces follow the regex by hand: alternatives are tried in order at each position, and
// `\s+(?!\S)` gives back one space so that the next word keeps its leading space.
const std::string kQwen2Text = "He's got 123 apples.\nThey'LL caf\xC3\xA9 na\xC3\xAFve  r\xC3\xA9sum\xC3\xA9!\r\n\r\n"
                               "OK \xE4\xBD\xA0\xE5\xA5\xBD cafe\xCC\x81\n\n  \nend   ";
const std::vector<std::string> kQwen2Pieces = {
    "He", "'s", " got", " ", "1", "2", "3", " apples", ".\n", "They", "'LL", " caf\xC3\xA9", " na\xC3\xAFve", " ",
    " r\xC3\xA9sum\xC3\xA9", "!\r\n\r\n", "OK", " \xE4\xBD\xA0\xE5\xA5\xBD", " cafe",
    "\xCC\x81\n\n", // a combining mark is not \p{L}: it takes the punctuation branch, newlines included
    "  \n", "end", "   "};

TEST(TokenizerPreTokenize, Qwen2SplitRegex)
{
    EXPECT_EQ(preTokenize(qwen2PreTokenizer(), kQwen2Text), kQwen2Pieces);
}

TEST(TokenizerPreTokenize, Gpt2ByteLevelRegex)
{
    const json byteLevel = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}};
    const std::vector<std::string> want = {"I", "'m", "  ", " here", ",", " 2024", "!", "\n", "\t", "Tabs"};
    EXPECT_EQ(preTokenize(byteLevel, "I'm   here, 2024!\n\tTabs"), want);
    const json withPrefix = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"use_regex", true}};
    EXPECT_EQ(preTokenize(withPrefix, "Hi there"), (std::vector<std::string>{" Hi", " there"}));
}

TEST(TokenizerPreTokenize, SplitBehaviours)
{
    const auto split = [](const char* behavior, bool invert) {
        const json spec = {{"type", "Split"}, {"pattern", {{"String", "-"}}}, {"behavior", behavior}, {"invert", invert}};
        return preTokenize(spec, "a-b--c-");
    };
    using V = std::vector<std::string>;
    EXPECT_EQ(split("Removed", false), (V{"a", "b", "c"}));
    EXPECT_EQ(split("Isolated", false), (V{"a", "-", "b", "-", "-", "c", "-"}));
    EXPECT_EQ(split("MergedWithPrevious", false), (V{"a-", "b-", "-", "c-"}));
    EXPECT_EQ(split("MergedWithNext", false), (V{"a", "-b", "-", "-c", "-"}));
    EXPECT_EQ(split("Contiguous", false), (V{"a", "-", "b", "--", "c", "-"}));
    EXPECT_EQ(split("Removed", true), (V{"-", "-", "-", "-"}));
}

TEST(TokenizerPreTokenize, MetaspaceLikeTheReferenceTests)
{
    const std::string bar = "\xE2\x96\x81"; // ▁
    const auto metaspace = [](const char* scheme, bool split) {
        return json{{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"prepend_scheme", scheme}, {"split", split}};
    };
    using V = std::vector<std::string>;
    EXPECT_EQ(preTokenize(metaspace("always", true), "Hey friend!"), (V{bar + "Hey", bar + "friend!"}));
    EXPECT_EQ(preTokenize(metaspace("always", true), "Hey   friend!"), (V{bar + "Hey", bar, bar, bar + "friend!"}));

    // "first" prepends only to the piece at the start of the input.
    const std::string how = "how" + bar + "are you";
    std::vector<tok::Piece> pieces = {{"Hey my friend ", -1, false, true}, {"<s>", -1, false, false}, {how, -1, false, false}};
    const V first = preTokenize(metaspace("first", false), pieces);
    EXPECT_EQ(first, (V{bar + "Hey" + bar + "my" + bar + "friend" + bar, "<s>", "how" + bar + "are" + bar + "you"}));
    std::vector<tok::Piece> again;
    for (std::size_t i = 0; i < first.size(); ++i)
        again.push_back({first[i], -1, false, i == 0});
    EXPECT_EQ(preTokenize(metaspace("always", true), again),
              (V{bar + "Hey", bar + "my", bar + "friend", bar, bar + "<s>", bar + "how", bar + "are", bar + "you"}));
    const V prefixed = preTokenize(metaspace("first", false), {{" Hey ", -1, false, true}, {"<s>", -1, false, false},
                                                               {"how", -1, false, false}});
    EXPECT_EQ(prefixed, (V{bar + "Hey" + bar, "<s>", "how"}));
    EXPECT_EQ(preTokenize(metaspace("never", true), "a b"), (V{"a", bar + "b"}));
}

TEST(TokenizerQwen2Style, EncodesEachPieceWhole)
{
    const json added = json::array({{{"content", "<|endoftext|>"}, {"single_word", false}, {"lstrip", false},
                                     {"rstrip", false}, {"normalized", false}, {"special", true}}});
    const json document = byteLevelTokenizerJson(kQwen2Pieces, qwen2PreTokenizer(), added);
    const auto tokenizer = tok::Tokenizer::fromJson(document.dump(), "qwen2-tiny.json");
    EXPECT_EQ(tokenizer.description().rfind("BPE, byte-level", 0), 0u) << tokenizer.description();

    // Every piece is built whole by its merge chain, and no merge crosses a piece boundary.
    const auto ids = tokenizer.encode(kQwen2Text);
    ASSERT_EQ(ids.size(), kQwen2Pieces.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        EXPECT_EQ(tokenizer.decode(std::vector<TokenId>{ids[i]}), kQwen2Pieces[i]) << i;
        EXPECT_EQ(tokenizer.idToToken(ids[i]), byteLevelSpelling(kQwen2Pieces[i])) << i;
    }
    EXPECT_EQ(tokenizer.decode(ids), kQwen2Text);

    const TokenId endOfText = *tokenizer.tokenToId("<|endoftext|>");
    const auto withSpecial = tokenizer.encode("He's<|endoftext|>He's");
    const std::vector<TokenId> want = {ids[0], ids[1], endOfText, ids[0], ids[1]};
    EXPECT_EQ(withSpecial, want);
    EXPECT_EQ(tokenizer.decode(withSpecial), "He's<|endoftext|>He's");
    EXPECT_EQ(tokenizer.decode(withSpecial, true), "He'sHe's");
}

// Later Llama tokenizer.json files express the dummy prefix with a Metaspace pre-tokenizer instead of a
// Prepend/Replace normaliser; on text without added tokens the ids are the same.
TEST(TokenizerMetaspace, LlamaMetaspaceVariantsMatchReference)
{
    json document = loadFixtureJson("debian-llama-16m/tokenizer.json");
    document["normalizer"] = nullptr;
    for (const char* scheme : {"first", "always"}) {
        document["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"prepend_scheme", scheme},
                                     {"split", false}};
        const auto tokenizer = tok::Tokenizer::fromJson(document.dump(), "llama-metaspace.json");
        for (const char* text : {"eval_austen", "eval_tech"}) {
            expectSameIds(tokenizer.encode(fixtureText(text)), referenceIds("debian-llama-16m.reference.json", text),
                          tokenizer, std::string("metaspace ") + scheme + " " + text);
        }
    }
}

TEST(TokenizerMetaspace, FirstSchemeAroundSpecialTokens)
{
    json document = loadFixtureJson("debian-llama-16m/tokenizer.json");
    document["normalizer"] = nullptr;
    document["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"prepend_scheme", "first"},
                                 {"split", false}};
    document["decoder"] = {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"prepend_scheme", "first"},
                           {"split", false}};
    const auto first = tok::Tokenizer::fromJson(document.dump(), "llama-first.json");
    const tok::Tokenizer& legacy = llamaTokenizer();
    // Unlike the legacy normaliser, "first" gives no "▁" to the text after "<s>".
    const auto ids = first.encode("Hello<s>world", false);
    const auto world = first.encode("world", false); // "▁world" ...
    const auto bare = legacy.encode("Hello", false);
    ASSERT_GE(ids.size(), bare.size() + 2);
    EXPECT_EQ(std::vector<TokenId>(ids.begin(), ids.begin() + static_cast<long>(bare.size())), bare);
    EXPECT_EQ(ids[bare.size()], 1);
    EXPECT_NE(std::vector<TokenId>(ids.begin() + static_cast<long>(bare.size()) + 1, ids.end()), world);
    // The Metaspace decoder drops the replacement in the first token and turns the others into spaces.
    EXPECT_EQ(first.decode(first.encode("Hello big world", false)), "Hello big world");
}

} // namespace
} // namespace glvq::test
