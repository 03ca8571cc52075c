// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shared helpers for the tokenizer tests: the fixture tokenizers and texts (loaded once per process),
// an id comparison that reports the first difference with its neighbourhood, and builders for small
// tokenizer.json documents.
// Thread-safety: the accessors initialise function-local statics; call them from the test thread.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/tokenizer/tokenizer.h"

namespace glvq::test {

const tok::Tokenizer& llamaTokenizer();   // debian-llama-16m/tokenizer.json
const tok::Tokenizer& gpt2Tokenizer();    // bpe-gpt2style-4k/tokenizer.json
const std::string& fixtureText(const std::string& name); // "eval_austen" -> contents of eval_austen.txt
// Reference ids: `reference` is "debian-llama-16m.reference.json" or "bpe-gpt2style-4k/reference.json".
std::vector<tok::TokenId> referenceIds(const std::string& reference, const std::string& text);

// Fails the test with the first differing index and the ids and tokens around it.
void expectSameIds(const std::vector<tok::TokenId>& got, const std::vector<tok::TokenId>& want,
                   const tok::Tokenizer& tokenizer, const std::string& what);

// The GPT-2 byte alphabet spelling of `text` (how byte-level vocabularies write tokens).
std::string byteLevelSpelling(const std::string& text);

// A byte-level BPE tokenizer.json: the 256 alphabet characters, then for each word a chain of merges
// that builds it whole (left to right), with the given pre_tokenizer and added tokens.
nlohmann::json byteLevelTokenizerJson(const std::vector<std::string>& words, const nlohmann::json& preTokenizer,
                                      nlohmann::json addedTokens = nlohmann::json::array());

} // namespace glvq::test
