// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A training token file (flat little-endian uint16 ids, as sample_data/scripts/tokenize_corpus.py writes),
// memory-mapped, validated against the vocabulary, and sampled as random windows.
#include "core/util/mapped_file.h"

#include <cstdint>
#include <filesystem>
#include <random>
#include <vector>

namespace glvq::trainer {

class TokenFile {
public:
    // Throws glvq::Error naming the file when it is empty, has an odd size, is shorter than `minTokens`, or holds
    // an id >= vocabSize (with its position).
    TokenFile(const std::filesystem::path& path, std::int64_t vocabSize, std::int64_t minTokens);

    std::int64_t size() const { return m_count; }
    std::uint16_t operator[](std::int64_t i) const;

    // `batch` windows of `length` consecutive tokens at uniformly random starts, row-major.
    std::vector<std::int64_t> sampleWindows(std::mt19937_64& rng, std::int64_t batch, std::int64_t length) const;
    // Up to `maxWindows` of the file's non-overlapping windows of `length` tokens, evenly spread over it (so a
    // file of several documents is covered), row-major.
    std::vector<std::int64_t> spreadWindows(std::int64_t maxWindows, std::int64_t length) const;

private:
    MappedFile m_file;
    const unsigned char* m_bytes = nullptr;
    std::int64_t m_count = 0;
};

} // namespace glvq::trainer
