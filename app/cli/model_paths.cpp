// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/model_paths.h"

#include "core/util/error.h"

namespace glvq::cli {

std::filesystem::path tokenizerJsonFor(const std::filesystem::path& path)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        const auto candidate = path / "tokenizer.json";
        if (!std::filesystem::is_regular_file(candidate, ec))
            throw Error(path.string() + ": no tokenizer.json in this directory");
        return candidate;
    }
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error(path.string() + ": no such file or directory");
    return path;
}

eval::EvalProtocol evalProtocolFor(const std::string& modelName, const std::filesystem::path& textPath,
                                   const std::string& text, const tok::Tokenizer& tokenizer,
                                   const std::string& tokenizerName)
{
    const auto identity = eval::identifyText(textPath, text);
    eval::EvalProtocol protocol;
    protocol.model = modelName;
    protocol.textName = identity.name;
    protocol.textSha256 = identity.sha256;
    protocol.tokenizer = tokenizer.description() + " (" + tokenizerName + ")";
    return protocol;
}

} // namespace glvq::cli
