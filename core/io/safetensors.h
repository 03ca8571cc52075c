// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reading one .safetensors file through mmap (https://github.com/huggingface/safetensors format:
// u64 little-endian header length N, N bytes of JSON header, then the raw little-endian data section).
//
// The constructor validates the whole header up front: length bound (<= 100 MB), well-formed JSON,
// known dtypes, shapes, offsets inside the data section, no two tensors overlapping, and
// shape x dtype size equal to the byte range. Every failure throws glvq::Error with a one-line message
// naming the file and, where there is one, the tensor. Tensor bytes are only touched on access.
// Thread-safety: a constructed object is immutable; concurrent reads are safe.
#include "core/io/dtype.h"
#include "core/util/mapped_file.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace glvq::io {

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::size_t dataOffset = 0; // bytes from the start of the data section
    std::size_t byteSize = 0;

    std::int64_t numel() const;
};

class SafetensorsFile {
public:
    static constexpr std::uint64_t kMaxHeaderBytes = 100u * 1000u * 1000u;

    explicit SafetensorsFile(const std::filesystem::path& path);

    const std::filesystem::path& path() const { return m_file.path(); }
    std::size_t fileSize() const { return m_file.size(); }
    const std::vector<TensorInfo>& tensors() const { return m_tensors; } // in data-offset order
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }

    const TensorInfo* find(std::string_view name) const; // nullptr when absent
    const TensorInfo& info(std::string_view name) const; // throws Error naming file and tensor

    std::span<const std::byte> rawBytes(std::string_view name) const;
    std::vector<float> readFloat32(std::string_view name) const;
    void readFloat32(std::string_view name, std::span<float> out) const; // out.size() must equal numel

private:
    MappedFile m_file;
    std::size_t m_dataStart = 0;
    std::vector<TensorInfo> m_tensors;
    std::map<std::string, std::size_t, std::less<>> m_index;
    std::map<std::string, std::string> m_metadata;
};

} // namespace glvq::io
