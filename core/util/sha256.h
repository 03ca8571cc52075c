// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// SHA-256 (FIPS 180-4), used to stamp results with the exact text and weights they came from.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace glvq {

class Sha256 {
public:
    Sha256();
    void update(std::span<const std::byte> data);
    void update(const std::string& text);
    std::array<std::uint8_t, 32> digest(); // finalises; the object must not be updated afterwards
    std::string hexDigest();

private:
    void compressBlock(const std::uint8_t* block);

    std::array<std::uint32_t, 8> m_state;
    std::array<std::uint8_t, 64> m_buffer {};
    std::size_t m_bufferSize = 0;
    std::uint64_t m_totalBytes = 0;
};

std::string sha256Hex(std::span<const std::byte> data);

} // namespace glvq
