// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/safetensors.h"

#include "core/io/error_text.h"
#include "core/io/safetensors_header.h"
#include "core/util/error.h"

#include <cstring>

namespace glvq::io {

std::int64_t TensorInfo::numel() const
{
    std::int64_t count = 1;
    for (const auto extent : shape)
        count *= extent; // validated on load: the product fits (it equals byteSize / dtype size)
    return count;
}

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path)
    : m_file(path)
{
    const std::string label = detail::printable(path.string(), 4096);
    const auto bytes = m_file.bytes();
    if (bytes.size() < 8)
        throw Error(label + ": file of " + std::to_string(bytes.size())
                    + " bytes is too short for a safetensors header length (8 bytes)");
    std::uint64_t headerLength = 0;
    std::memcpy(&headerLength, bytes.data(), 8); // little-endian on disk and (static_assert in dtype.cpp) host
    if (headerLength > kMaxHeaderBytes)
        throw Error(label + ": header length " + std::to_string(headerLength) + " exceeds the limit of "
                    + std::to_string(kMaxHeaderBytes) + " bytes");
    if (headerLength > bytes.size() - 8)
        throw Error(label + ": header length " + std::to_string(headerLength) + " goes beyond the end of the file ("
                    + std::to_string(bytes.size()) + " bytes)");
    m_dataStart = 8 + static_cast<std::size_t>(headerLength);

    const std::string_view json(reinterpret_cast<const char*>(bytes.data()) + 8, static_cast<std::size_t>(headerLength));
    auto header = detail::parseSafetensorsHeader(json, bytes.size() - m_dataStart, label);
    m_tensors = std::move(header.tensors);
    m_metadata = std::move(header.metadata);
    for (std::size_t i = 0; i < m_tensors.size(); ++i)
        m_index.emplace(m_tensors[i].name, i);
}

const TensorInfo* SafetensorsFile::find(std::string_view name) const
{
    const auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_tensors[it->second];
}

const TensorInfo& SafetensorsFile::info(std::string_view name) const
{
    if (const auto* tensor = find(name))
        return *tensor;
    throw Error(detail::printable(path().string(), 4096) + ": no " + detail::tensorLabel(name) + " in this file");
}

std::span<const std::byte> SafetensorsFile::rawBytes(std::string_view name) const
{
    const auto& tensor = info(name);
    return m_file.bytes().subspan(m_dataStart + tensor.dataOffset, tensor.byteSize);
}

std::vector<float> SafetensorsFile::readFloat32(std::string_view name) const
{
    const auto& tensor = info(name);
    std::vector<float> values(static_cast<std::size_t>(tensor.numel()));
    convertToFloat32(tensor.dtype, m_file.bytes().subspan(m_dataStart + tensor.dataOffset, tensor.byteSize), values);
    return values;
}

void SafetensorsFile::readFloat32(std::string_view name, std::span<float> out) const
{
    const auto& tensor = info(name);
    if (out.size() != static_cast<std::size_t>(tensor.numel()))
        throw Error(detail::printable(path().string(), 4096) + ": " + detail::tensorLabel(name) + ": output holds "
                    + std::to_string(out.size()) + " floats but the tensor has " + std::to_string(tensor.numel())
                    + " elements");
    convertToFloat32(tensor.dtype, m_file.bytes().subspan(m_dataStart + tensor.dataOffset, tensor.byteSize), out);
}

} // namespace glvq::io
