// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Where a command finds a model's files, and how it stamps evaluations of them.
#include "core/eval/eval_protocol.h"
#include "core/tokenizer/tokenizer.h"

#include <filesystem>
#include <string>

namespace glvq::cli {

// `path` is a tokenizer.json or a directory holding one; glvq::Error naming the path otherwise.
std::filesystem::path tokenizerJsonFor(const std::filesystem::path& path);

// The protocol stamp of an evaluation of the model named `modelName` (its directory or file name) on the text
// read from `textPath`; `tokenizerName` is the tokenizer file's name.
eval::EvalProtocol evalProtocolFor(const std::string& modelName, const std::filesystem::path& textPath,
                                   const std::string& text, const tok::Tokenizer& tokenizer,
                                   const std::string& tokenizerName);

} // namespace glvq::cli
