// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Where the committed sample data lives (sample_data/ in the checkout). Missing files are test failures.
#include <filesystem>
#include <stdexcept>
#include <string>

namespace glvq::test {

inline std::filesystem::path samplePath(const std::string& relative)
{
    auto path = std::filesystem::path(GLVQ_SAMPLE_DATA_DIR) / relative;
    if (!std::filesystem::exists(path))
        throw std::runtime_error("sample data missing: " + path.string() + " (see sample_data/README.md)");
    return path;
}

} // namespace glvq::test
