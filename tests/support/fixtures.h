// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Locating the shared reference fixtures (../shared/fixtures beside the checkout). A missing fixture is a
// test failure, never a skip: the parity tests are the proof that the engine is right.
#include <filesystem>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace glvq::test {

inline std::filesystem::path fixturesDir()
{
    const std::filesystem::path dir = GLVQ_FIXTURES_DIR;
    if (!std::filesystem::is_directory(dir))
        throw std::runtime_error("reference fixtures not found at " + dir.string()
                                 + " (expected ../shared/fixtures beside the checkout)");
    return dir;
}

inline std::filesystem::path fixturePath(const std::string& relative)
{
    auto path = fixturesDir() / relative;
    if (!std::filesystem::exists(path))
        throw std::runtime_error("fixture missing: " + path.string());
    return path;
}

// Parses a fixture JSON file (reference ids, logits, perplexities).
nlohmann::json loadFixtureJson(const std::string& relative);

} // namespace glvq::test
