// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Where a command finds a model's files.
#include <filesystem>

namespace glvq::cli {

// `path` is a tokenizer.json or a directory holding one; glvq::Error naming the path otherwise.
std::filesystem::path tokenizerJsonFor(const std::filesystem::path& path);

} // namespace glvq::cli
