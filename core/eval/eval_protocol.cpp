// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/eval/eval_protocol.h"

#include "core/util/sha256.h"

#include <nlohmann/json.hpp>

#include <sstream>

namespace glvq::eval {

std::string EvalProtocol::describe() const
{
    std::ostringstream out;
    out << textName << " (sha256 " << textSha256.substr(0, 12) << "…, " << textTokens << " tokens), ctx " << ctx
        << ", " << windows << " windows, " << scoredTokens << " scored tokens, tokenizer " << tokenizer << ", "
        << dtype << ", " << device;
    return out.str();
}

nlohmann::json toJson(const EvalProtocol& protocol)
{
    return {
        { "model", protocol.model },
        { "text", protocol.textName },
        { "text_sha256", protocol.textSha256 },
        { "tokenizer", protocol.tokenizer },
        { "text_tokens", protocol.textTokens },
        { "ctx", protocol.ctx },
        { "windows", protocol.windows },
        { "scored_tokens", protocol.scoredTokens },
        { "dtype", protocol.dtype },
        { "device", protocol.device },
        { "scoring", "non-overlapping windows of ctx tokens from the start, remainder dropped; positions 1..ctx-1 "
                     "of each window scored; PPL = exp(mean NLL)" },
    };
}

TextIdentity identifyText(const std::filesystem::path& path, const std::string& contents)
{
    return { path.filename().string(), sha256Hex(std::as_bytes(std::span(contents.data(), contents.size()))) };
}

} // namespace glvq::eval
