// SPDX-License-Identifier: GPL-3.0-or-later
// Parity with the Hugging Face `tokenizers` library on the shared fixtures, and decode round trips.
#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "core/tokenizer/tokenizer.h"
#include "core/util/error.h"
#include "tests/tokenizer/tokenizer_test_util.h"

namespace glvq::test {
namespace {

using tok::TokenId;

const char* const kTexts[] = {"eval_austen", "eval_tech"};

// Strings that exercise byte fallback, multi-byte characters and whitespace handling.
const std::vector<std::string>& trickyStrings()
{
    static const std::vector<std::string> strings = {
        "Hello, world!",
        "emoji \xF0\x9F\x98\x80 and \xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB family",   // 😀, 👩‍💻
        "\xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C\xE4\xB8\x96\xE7\x95\x8C",                   // 你好，世界
        "cafe\xCC\x81 na\xC3\xAFve r\xC3\xA9sum\xC3\xA9",                                 // combining acute, ï, é
        "tabs\tand\ttabs\t\tend",
        "windows\r\nline\r\nends\r\n",
        "many     spaces   here  ",
        "  leading spaces",
        "digits 0123456789 and 3.14159, 2024-11-22",
        "\n\nnewlines first\n\n\n",
        "x",
        "",
    };
    return strings;
}

TEST(TokenizerParity, LlamaMatchesReferenceIds)
{
    for (const char* text : kTexts) {
        const auto want = referenceIds("debian-llama-16m.reference.json", text);
        const auto got = llamaTokenizer().encode(fixtureText(text));
        ASSERT_FALSE(want.empty());
        EXPECT_EQ(got.front(), 1) << "BOS first";
        expectSameIds(got, want, llamaTokenizer(), std::string("debian-llama-16m ") + text);
    }
}

TEST(TokenizerParity, Gpt2StyleMatchesReferenceIds)
{
    for (const char* text : kTexts) {
        const auto want = referenceIds("bpe-gpt2style-4k/reference.json", text);
        const auto got = gpt2Tokenizer().encode(fixtureText(text));
        expectSameIds(got, want, gpt2Tokenizer(), std::string("bpe-gpt2style-4k ") + text);
    }
}

TEST(TokenizerBasics, DescriptionsAndVocabulary)
{
    EXPECT_EQ(llamaTokenizer().description(), "BPE, SentencePiece-style, 8192 tokens");
    EXPECT_EQ(gpt2Tokenizer().description(), "BPE, byte-level, 4096 tokens");
    EXPECT_EQ(llamaTokenizer().vocabSize(), 8192);
    EXPECT_EQ(llamaTokenizer().tokenToId("<s>"), 1);
    EXPECT_EQ(llamaTokenizer().idToToken(1), "<s>");
    EXPECT_TRUE(llamaTokenizer().isSpecial(1));
    EXPECT_FALSE(llamaTokenizer().isSpecial(100));
    EXPECT_EQ(llamaTokenizer().idToToken(1 << 20), "");
    EXPECT_EQ(gpt2Tokenizer().tokenToId("<|endoftext|>"), 0);
    EXPECT_FALSE(gpt2Tokenizer().tokenToId("no such token").has_value());
}

TEST(TokenizerBasics, SpecialTokensOnlyWhenAsked)
{
    const auto with = llamaTokenizer().encode("Hello world");
    const auto without = llamaTokenizer().encode("Hello world", false);
    ASSERT_EQ(with.size(), without.size() + 1);
    EXPECT_EQ(with[0], 1);
    EXPECT_EQ(std::vector<TokenId>(with.begin() + 1, with.end()), without);
    EXPECT_EQ(llamaTokenizer().encode(""), std::vector<TokenId>{1});
    EXPECT_TRUE(gpt2Tokenizer().encode("").empty());
}

TEST(TokenizerRoundTrip, EvalTextsDecodeToThemselves)
{
    for (const char* text : kTexts) {
        const std::string& original = fixtureText(text);
        // The Llama decoder's Strip removes the space that the normaliser's "▁" prefix turns into.
        EXPECT_TRUE(llamaTokenizer().decode(llamaTokenizer().encode(original), true) == original) << text;
        EXPECT_TRUE(gpt2Tokenizer().decode(gpt2Tokenizer().encode(original)) == original) << text;
    }
}

TEST(TokenizerRoundTrip, TrickyStringsDecodeToThemselves)
{
    for (const std::string& text : trickyStrings()) {
        EXPECT_EQ(llamaTokenizer().decode(llamaTokenizer().encode(text), true), text);
        EXPECT_EQ(gpt2Tokenizer().decode(gpt2Tokenizer().encode(text)), text);
    }
}

TEST(TokenizerRoundTrip, LlamaByteFallbackForUnknownCharacters)
{
    // "😀" is not in the 8k vocabulary: "▁" then one <0xXX> token per UTF-8 byte.
    const auto ids = llamaTokenizer().encode("\xF0\x9F\x98\x80", false);
    const std::vector<TokenId> want = {*llamaTokenizer().tokenToId("\xE2\x96\x81"), *llamaTokenizer().tokenToId("<0xF0>"),
                                       *llamaTokenizer().tokenToId("<0x9F>"), *llamaTokenizer().tokenToId("<0x98>"),
                                       *llamaTokenizer().tokenToId("<0x80>")};
    EXPECT_EQ(ids, want);
    // An invalid byte sequence decodes to one U+FFFD per byte, as ByteFallback does.
    const std::vector<TokenId> broken = {*llamaTokenizer().tokenToId("<0xF0>"), *llamaTokenizer().tokenToId("<0x9F>")};
    EXPECT_EQ(llamaTokenizer().decode(broken), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(TokenizerRoundTrip, SpecialTokenTextMapsToSpecialId)
{
    const tok::Tokenizer& gpt2 = gpt2Tokenizer();
    const std::string text = "end of one<|endoftext|>start of two";
    const auto ids = gpt2.encode(text);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), 0), 1);
    EXPECT_EQ(gpt2.decode(ids), text);
    EXPECT_EQ(gpt2.decode(ids, true), "end of onestart of two");

    // Llama: the text around "<s>" is normalised segment by segment, so each gets its own "▁" prefix.
    const tok::Tokenizer& llama = llamaTokenizer();
    const auto llamaIds = llama.encode("Hello <s> world");
    ASSERT_GE(llamaIds.size(), 4u);
    EXPECT_EQ(std::count(llamaIds.begin(), llamaIds.end(), 1), 2);
    const auto second = std::find(llamaIds.begin() + 1, llamaIds.end(), 1);
    EXPECT_EQ(llama.decode(std::vector<TokenId>(llamaIds.begin() + 1, second)), "Hello ");
    EXPECT_EQ(llama.decode(llamaIds), "<s> Hello <s>  world");
    EXPECT_EQ(llama.decode(llamaIds, true), "Hello   world");
    EXPECT_EQ(llama.encode("Hello <s> world", false),
              std::vector<TokenId>(llamaIds.begin() + 1, llamaIds.end()));
}

TEST(TokenizerRoundTrip, InvalidUtf8InputIsAnError)
{
    EXPECT_THROW(gpt2Tokenizer().encode("bad \xC3("), Error);
    EXPECT_THROW(llamaTokenizer().encode("\xED\xA0\x80"), Error); // a UTF-16 surrogate
}

TEST(TokenizerBasics, ConcurrentEncodeAndDecode)
{
    // One tokenizer shared by threads: all working memory is per call.
    const std::string text = fixtureText("eval_tech").substr(0, 200000);
    const auto gpt2Want = gpt2Tokenizer().encode(text);
    const auto llamaWant = llamaTokenizer().encode(text);
    std::vector<std::thread> threads;
    std::vector<int> ok(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            const tok::Tokenizer& tokenizer = t % 2 == 0 ? gpt2Tokenizer() : llamaTokenizer();
            const auto& want = t % 2 == 0 ? gpt2Want : llamaWant;
            const auto ids = tokenizer.encode(text);
            ok[static_cast<std::size_t>(t)] = ids == want && tokenizer.decode(ids, true) == text;
        });
    }
    for (std::thread& thread : threads)
        thread.join();
    EXPECT_EQ(ok, std::vector<int>(4, 1));
}

} // namespace
} // namespace glvq::test
