// SPDX-License-Identifier: GPL-3.0-or-later
// Malformed or unsupported tokenizer.json files: a glvq::Error whose single-line message names the file
// and the field.
#include <functional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/tokenizer/tokenizer.h"
#include "core/util/error.h"

namespace glvq::test {
namespace {

using nlohmann::json;

json validDocument()
{
    return {{"added_tokens", json::array()},
            {"normalizer", nullptr},
            {"pre_tokenizer", nullptr},
            {"post_processor", nullptr},
            {"decoder", nullptr},
            {"model",
             {{"type", "BPE"}, {"unk_token", nullptr}, {"vocab", {{"a", 0}, {"b", 1}, {"ab", 2}}}, {"merges", json::array({json::array({"a", "b"})})}}}};
}

std::string loadError(const std::string& text)
{
    try {
        tok::Tokenizer::fromJson(text, "bad/tokenizer.json");
    } catch (const Error& e) {
        return e.what();
    }
    return "(loaded without error)";
}

// Applies `edit` to a valid document and expects an error mentioning every one of `fragments`.
void expectError(const std::function<void(json&)>& edit, const std::vector<std::string>& fragments)
{
    json document = validDocument();
    edit(document);
    const std::string message = loadError(document.dump());
    EXPECT_EQ(message.rfind("bad/tokenizer.json: ", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    for (const std::string& fragment : fragments)
        EXPECT_NE(message.find(fragment), std::string::npos) << "'" << fragment << "' not in: " << message;
}

TEST(TokenizerErrors, ValidDocumentLoads)
{
    EXPECT_EQ(loadError(validDocument().dump()), "(loaded without error)");
}

TEST(TokenizerErrors, UnsupportedModels)
{
    expectError([](json& d) { d["model"]["type"] = "Unigram"; }, {"model.type", "'Unigram'", "supported: BPE"});
    expectError([](json& d) { d["model"]["type"] = "WordPiece"; }, {"model.type", "'WordPiece'"});
    expectError([](json& d) { d["model"]["type"] = "WordLevel"; }, {"model.type", "'WordLevel'"});
    expectError([](json& d) { d["model"]["continuing_subword_prefix"] = "##"; }, {"model.continuing_subword_prefix"});
    expectError([](json& d) { d["model"]["end_of_word_suffix"] = "</w>"; }, {"model.end_of_word_suffix"});
    expectError([](json& d) { d["model"]["dropout"] = 0.1; }, {"model.dropout"});
}

TEST(TokenizerErrors, MalformedModels)
{
    expectError([](json& d) { d.erase("model"); }, {"model is missing"});
    expectError([](json& d) { d["model"].erase("vocab"); }, {"model.vocab is missing"});
    expectError([](json& d) { d["model"]["vocab"]["c"] = "three"; }, {"model.vocab", "'c'"});
    expectError([](json& d) { d["model"]["merges"] = json::array({json::array({"a", "c"})}); }, {"model.merges[0]", "'c'"});
    expectError([](json& d) { d["model"]["merges"] = json::array({"b a"}); }, {"model.merges[0]", "'ba'"});
    expectError([](json& d) { d["model"]["merges"] = json::array({"ab"}); }, {"model.merges[0]", "separated by a space"});
    expectError([](json& d) { d["model"]["merges"] = json::array({json::array({"a", "b", "c"})}); }, {"model.merges[0]", "two tokens"});
    expectError([](json& d) { d["model"]["fuse_unk"] = "yes"; }, {"model.fuse_unk"});
    expectError([](json& d) { d["added_tokens"] = json::array({{{"content", "<new>"}}}); }, {"added_tokens[0].id"});
    expectError([](json& d) { d["added_tokens"] = json::array({{{"id", 5}}}); }, {"added_tokens[0].content is missing"});
}

TEST(TokenizerErrors, UnsupportedComponents)
{
    expectError([](json& d) { d["normalizer"] = {{"type", "NFC"}}; }, {"normalizer.type", "'NFC'", "supported:"});
    expectError([](json& d) { d["normalizer"] = {{"type", "Sequence"}, {"normalizers", {{{"type", "Prepend"}, {"prepend", "_"}}, {{"type", "NFKC"}}}}}; },
                {"normalizer.normalizers[1].type", "'NFKC'"});
    expectError([](json& d) { d["normalizer"] = {{"type", "Replace"}, {"pattern", {{"Regex", " +"}}}, {"content", " "}}; },
                {"normalizer.pattern", "Regex"});
    expectError([](json& d) { d["pre_tokenizer"] = {{"type", "Whitespace"}}; },
                {"pre_tokenizer.type", "'Whitespace'", "supported: ByteLevel, Split, Metaspace, Sequence"});
    expectError([](json& d) { d["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}}; },
                {"pre_tokenizer.pattern.Regex"});
    expectError([](json& d) { d["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"String", "-"}}}, {"behavior", "Sideways"}}; },
                {"pre_tokenizer.behavior", "'Sideways'"});
    expectError([](json& d) { d["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "ab"}}; },
                {"pre_tokenizer.replacement", "single character"});
    expectError([](json& d) { d["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "_"}, {"prepend_scheme", "sometimes"}}; },
                {"pre_tokenizer.prepend_scheme", "'sometimes'"});
    expectError([](json& d) { d["post_processor"] = {{"type", "RobertaProcessing"}}; },
                {"post_processor.type", "'RobertaProcessing'", "supported:"});
    expectError([](json& d) { d["post_processor"] = {{"type", "BertProcessing"}}; }, {"post_processor.type", "'BertProcessing'"});
    expectError([](json& d) { d["post_processor"] = {{"type", "TemplateProcessing"}, {"single", {{{"SpecialToken", {{"id", "<s>"}}}}}}}; },
                {"post_processor.single[0]", "'<s>'"});
    expectError([](json& d) { d["decoder"] = {{"type", "WordPiece"}}; }, {"decoder.type", "'WordPiece'", "supported:"});
    expectError([](json& d) { d["decoder"] = {{"type", "Sequence"}, {"decoders", {{{"type", "Fuse"}}, {{"type", "CTC"}}}}}; },
                {"decoder.decoders[1].type", "'CTC'"});
}

TEST(TokenizerErrors, NotJsonOrNotAFile)
{
    const std::string broken = loadError("{\"model\": ");
    EXPECT_EQ(broken.rfind("bad/tokenizer.json: invalid JSON", 0), 0u) << broken;
    EXPECT_EQ(broken.find('\n'), std::string::npos);
    EXPECT_NE(loadError("[1, 2]").find("top level"), std::string::npos);
    try {
        tok::Tokenizer::fromFile("/nonexistent/dir/tokenizer.json");
        ADD_FAILURE() << "no error for a missing file";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/tokenizer.json"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace glvq::test
