// SPDX-License-Identifier: GPL-3.0-or-later
#include "tools/trainer/token_file.h"

#include "core/util/error.h"

#include <algorithm>
#include <string>

namespace glvq::trainer {

TokenFile::TokenFile(const std::filesystem::path& path, std::int64_t vocabSize, std::int64_t minTokens)
    : m_file(path)
    , m_bytes(reinterpret_cast<const unsigned char*>(m_file.bytes().data()))
    , m_count(static_cast<std::int64_t>(m_file.size() / 2))
{
    if (m_file.size() % 2 != 0)
        throw Error(path.string() + ": odd size " + std::to_string(m_file.size()) + "; expected uint16 tokens");
    if (m_count < minTokens)
        throw Error(path.string() + ": " + std::to_string(m_count) + " tokens, need at least "
                    + std::to_string(minTokens));
    for (std::int64_t i = 0; i < m_count; ++i)
        if ((*this)[i] >= vocabSize)
            throw Error(path.string() + ": token " + std::to_string(i) + " is id " + std::to_string((*this)[i])
                        + ", outside the vocabulary of " + std::to_string(vocabSize));
}

std::uint16_t TokenFile::operator[](std::int64_t i) const
{
    // Little-endian on disk, whatever the host's byte order.
    return static_cast<std::uint16_t>(m_bytes[2 * i] | (m_bytes[2 * i + 1] << 8));
}

std::vector<std::int64_t> TokenFile::sampleWindows(std::mt19937_64& rng, std::int64_t batch,
                                                   std::int64_t length) const
{
    std::uniform_int_distribution<std::int64_t> start(0, m_count - length);
    std::vector<std::int64_t> ids(static_cast<std::size_t>(batch * length));
    for (std::int64_t row = 0; row < batch; ++row) {
        const auto first = start(rng);
        for (std::int64_t t = 0; t < length; ++t)
            ids[static_cast<std::size_t>(row * length + t)] = (*this)[first + t];
    }
    return ids;
}

std::vector<std::int64_t> TokenFile::spreadWindows(std::int64_t maxWindows, std::int64_t length) const
{
    const auto available = m_count / length;
    const auto windows = std::min(maxWindows, available);
    std::vector<std::int64_t> ids;
    ids.reserve(static_cast<std::size_t>(windows * length));
    for (std::int64_t w = 0; w < windows; ++w) {
        const auto first = (w * available / windows) * length;
        for (std::int64_t t = 0; t < length; ++t)
            ids.push_back((*this)[first + t]);
    }
    return ids;
}

} // namespace glvq::trainer
