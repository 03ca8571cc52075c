// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/tokenizer/tokenizer_test_util.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "tests/support/fixtures.h"

namespace glvq::test {

const tok::Tokenizer& llamaTokenizer()
{
    static const tok::Tokenizer tokenizer = tok::Tokenizer::fromFile(fixturePath("debian-llama-16m/tokenizer.json"));
    return tokenizer;
}

const tok::Tokenizer& gpt2Tokenizer()
{
    static const tok::Tokenizer tokenizer = tok::Tokenizer::fromFile(fixturePath("bpe-gpt2style-4k/tokenizer.json"));
    return tokenizer;
}

const std::string& fixtureText(const std::string& name)
{
    static std::map<std::string, std::string> texts;
    auto it = texts.find(name);
    if (it == texts.end()) {
        std::ifstream in(fixturePath(name + ".txt"), std::ios::binary);
        std::ostringstream contents;
        contents << in.rdbuf();
        it = texts.emplace(name, contents.str()).first;
    }
    return it->second;
}

std::vector<tok::TokenId> referenceIds(const std::string& reference, const std::string& text)
{
    static std::map<std::string, nlohmann::json> documents;
    auto it = documents.find(reference);
    if (it == documents.end())
        it = documents.emplace(reference, loadFixtureJson(reference)).first;
    return it->second.at("token_ids").at(text).get<std::vector<tok::TokenId>>();
}

void expectSameIds(const std::vector<tok::TokenId>& got, const std::vector<tok::TokenId>& want,
                   const tok::Tokenizer& tokenizer, const std::string& what)
{
    if (got == want)
        return;
    const std::size_t common = std::min(got.size(), want.size());
    std::size_t first = 0;
    while (first < common && got[first] == want[first])
        ++first;
    const auto window = [&](const std::vector<tok::TokenId>& ids) {
        std::ostringstream out;
        const std::size_t from = first >= 5 ? first - 5 : 0;
        for (std::size_t i = from; i < std::min(ids.size(), first + 6); ++i)
            out << (i == first ? " >>" : " ") << ids[i] << "'" << tokenizer.idToToken(ids[i]) << "'";
        return out.str();
    };
    ADD_FAILURE() << what << ": ids differ first at index " << first << " (got " << got.size() << " ids, want "
                  << want.size() << ")\n  got: " << window(got) << "\n want: " << window(want);
}

std::string byteLevelSpelling(const std::string& text)
{
    std::string out;
    for (const char c : text) {
        const auto b = static_cast<unsigned char>(c);
        const bool kept = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
        unsigned cp = b;
        if (!kept) {
            unsigned shifted = 0; // index among the bytes that are moved to U+0100 upwards
            for (unsigned x = 0; x < b; ++x) {
                if (!((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE)))
                    ++shifted;
            }
            cp = 256 + shifted;
        }
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }
    return out;
}

nlohmann::json byteLevelTokenizerJson(const std::vector<std::string>& words, const nlohmann::json& preTokenizer,
                                      nlohmann::json addedTokens)
{
    nlohmann::json vocab = nlohmann::json::object();
    std::vector<std::string> alphabet;
    for (int b = 0; b < 256; ++b) {
        const std::string symbol = byteLevelSpelling(std::string(1, static_cast<char>(b)));
        vocab[symbol] = static_cast<int>(vocab.size());
        alphabet.push_back(symbol);
    }
    nlohmann::json merges = nlohmann::json::array();
    std::set<std::pair<std::string, std::string>> seen;
    for (const std::string& word : words) {
        std::string built;
        for (const char c : word) {
            const std::string next = alphabet[static_cast<unsigned char>(c)];
            if (!built.empty() && seen.insert({built, next}).second) {
                merges.push_back({built, next});
                if (!vocab.contains(built + next))
                    vocab[built + next] = static_cast<int>(vocab.size());
            }
            built += next;
        }
    }
    // Added tokens outside the vocabulary take the ids after it, as the library assigns them.
    int nextId = static_cast<int>(vocab.size());
    for (auto& token : addedTokens) {
        const std::string content = token["content"].get<std::string>();
        token["id"] = vocab.contains(content) ? vocab[content].get<int>() : nextId++;
    }
    const nlohmann::json byteLevel = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false},
                                      {"use_regex", false}};
    return {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens", addedTokens},
        {"normalizer", nullptr},
        {"pre_tokenizer", preTokenizer},
        {"post_processor", byteLevel},
        {"decoder", byteLevel},
        {"model",
         {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"continuing_subword_prefix", ""},
          {"end_of_word_suffix", ""}, {"fuse_unk", false}, {"byte_fallback", false}, {"ignore_merges", false},
          {"vocab", vocab}, {"merges", merges}}},
    };
}

} // namespace glvq::test
