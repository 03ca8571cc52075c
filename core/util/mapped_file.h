// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A read-only memory map of a whole file (RAII). Opening costs O(1) regardless of the file's size; pages
// are read on first touch. Move-only. The bytes stay valid while the object lives. Safe to read from
// several threads at once.
#include <cstddef>
#include <filesystem>
#include <span>

namespace glvq {

class MappedFile {
public:
    // Throws glvq::Error naming the path when the file cannot be opened or mapped.
    explicit MappedFile(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::span<const std::byte> bytes() const { return { m_data, m_size }; }
    std::size_t size() const { return m_size; }
    const std::filesystem::path& path() const { return m_path; }

private:
    void release() noexcept;

    std::filesystem::path m_path;
    const std::byte* m_data = nullptr;
    std::size_t m_size = 0;
};

} // namespace glvq
