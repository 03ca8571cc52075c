// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The protocol every evaluation number carries: which text (name and SHA-256), which windows, which
// tokenizer, dtype and device. A perplexity without its protocol is not comparable to anything.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

namespace glvq::eval {

struct EvalProtocol {
    std::string model;          // model directory name, e.g. "debian-llama-16m"
    std::string textName;       // file name of the evaluation text
    std::string textSha256;     // of the file's bytes
    std::string tokenizer;      // tokenizer description and file
    std::int64_t textTokens = 0;   // tokens of the whole file (post-processor included)
    std::int64_t ctx = 0;          // window length in tokens
    std::int64_t windows = 0;      // non-overlapping windows from the start; the remainder is dropped
    std::int64_t scoredTokens = 0; // windows × (ctx − 1): positions 1..ctx−1 of each window
    std::string dtype;          // compute dtype and storage dtype, e.g. "fp32 compute, bfloat16 weights"
    std::string device;         // "cpu", "cuda:0 (...)"

    std::string describe() const; // one line for humans
};

nlohmann::json toJson(const EvalProtocol& protocol);

// Identity of a text file: its name and SHA-256.
struct TextIdentity {
    std::string name;
    std::string sha256;
};
TextIdentity identifyText(const std::filesystem::path& path, const std::string& contents);

} // namespace glvq::eval
