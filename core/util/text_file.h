// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Whole-file reads and atomic whole-file writes (temporary file in the same directory, then rename),
// so a crash or a cancel never leaves a half-written file under the final name.
#include <filesystem>
#include <string>
#include <string_view>

namespace glvq {

// Throws glvq::Error naming the path when the file cannot be read.
std::string readTextFile(const std::filesystem::path& path);

// Writes `contents` to `path` atomically. Throws glvq::Error naming the path on failure; on failure the
// temporary file is removed and any existing file at `path` is untouched.
void writeFileAtomically(const std::filesystem::path& path, std::string_view contents);

} // namespace glvq
