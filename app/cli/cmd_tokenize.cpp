// SPDX-License-Identifier: GPL-3.0-or-later
// glvq tokenize TOKENIZER: ids (or token strings) of a text with a model's tokenizer.json, and decoding ids back.
#include "app/cli/commands.h"
#include "app/cli/model_paths.h"
#include "core/tokenizer/tokenizer.h"
#include "core/util/error.h"
#include "core/util/text_file.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <sstream>

namespace glvq::cli {

namespace {

std::vector<tok::TokenId> parseIds(const std::string& text)
{
    std::vector<tok::TokenId> ids;
    std::istringstream in(text);
    std::string word;
    while (in >> word) {
        tok::TokenId id = 0;
        const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), id);
        if (error != std::errc() || end != word.data() + word.size())
            throw UsageError("glvq tokenize: --decode expects integer ids, got '" + word + "'");
        ids.push_back(id);
    }
    return ids;
}

} // namespace

const CommandSpec& tokenizeSpec()
{
    static const CommandSpec spec {
        "tokenize",
        "TOKENIZER (--text FILE | --string TEXT | --decode IDS) [--tokens] [--no-special] [--json]",
        "Token ids of a text with a tokenizer.json (TOKENIZER is the file or a model directory holding it).",
        { "TOKENIZER" },
        {
            { "text", "FILE", "tokenize this file" },
            { "string", "TEXT", "tokenize this string" },
            { "decode", "IDS", "decode space-separated ids back to text" },
            { "tokens", "", "print token strings instead of ids" },
            { "no-special", "", "do not add the post-processor's special tokens (e.g. BOS)" },
            { "json", "", "print machine-readable JSON" },
        },
        {},
    };
    return spec;
}

int runTokenize(const ParsedArgs& args, const CancelToken&)
{
    const int sources = int(args.has("text")) + int(args.has("string")) + int(args.has("decode"));
    if (sources != 1)
        throw UsageError("glvq tokenize: give exactly one of --text FILE, --string TEXT or --decode IDS");
    const auto tokenizer = tok::Tokenizer::fromFile(tokenizerJsonFor(args.positional[0]));

    if (args.has("decode")) {
        const auto ids = parseIds(args.value("decode"));
        for (auto id : ids)
            if (id < 0 || id >= tokenizer.vocabSize())
                throw Error("--decode: id " + std::to_string(id) + " is outside the vocabulary [0, "
                            + std::to_string(tokenizer.vocabSize()) + ")");
        const auto text = tokenizer.decode(ids, args.has("no-special"));
        if (args.has("json"))
            std::printf("%s\n", nlohmann::json({ { "text", text } }).dump().c_str());
        else
            std::printf("%s\n", text.c_str());
        return 0;
    }

    const auto text = args.has("text") ? readTextFile(args.value("text")) : args.value("string");
    const auto start = std::chrono::steady_clock::now();
    const auto ids = tokenizer.encode(text, !args.has("no-special"));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    if (args.has("json")) {
        nlohmann::json out = { { "tokenizer", tokenizer.description() }, { "count", ids.size() }, { "ids", ids } };
        if (args.has("tokens")) {
            auto& tokens = out["tokens"] = nlohmann::json::array();
            for (auto id : ids)
                tokens.push_back(tokenizer.idToToken(id));
        }
        std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
        std::string line;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            line += i ? " " : "";
            line += args.has("tokens") ? tokenizer.idToToken(ids[i]) : std::to_string(ids[i]);
        }
        std::printf("%s\n", line.c_str());
    }
    std::fprintf(stderr, "%zu tokens from %zu bytes in %.3f s (%s)\n", ids.size(), text.size(), seconds,
                 tokenizer.description().c_str());
    return 0;
}

} // namespace glvq::cli
