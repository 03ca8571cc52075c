// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/safetensors_writer.h"

#include "core/io/error_text.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <unistd.h>

namespace glvq::io {

namespace {

namespace fs = std::filesystem;

std::string label(const fs::path& path) { return detail::printable(path.string(), 4096); }

// product(shape) * dtypeSize, or nullopt when a dimension is negative or the product overflows.
std::optional<std::uint64_t> byteCount(const std::vector<std::int64_t>& shape, DType dtype)
{
    std::uint64_t count = dtypeSize(dtype);
    bool overflow = false;
    for (const auto extent : shape) {
        if (extent < 0)
            return std::nullopt;
        overflow = overflow || __builtin_mul_overflow(count, static_cast<std::uint64_t>(extent), &count);
    }
    if (count == 0)
        return 0; // a zero dimension wins over an earlier overflow
    if (overflow)
        return std::nullopt;
    return count;
}

void validate(const fs::path& path, const std::vector<WritableTensor>& tensors)
{
    std::set<std::string_view> names;
    for (const auto& tensor : tensors) {
        const std::string where = label(path) + ": " + detail::tensorLabel(tensor.name) + ": ";
        if (tensor.name.empty() || tensor.name == "__metadata__")
            throw Error(where + "name is reserved or empty");
        if (!names.insert(tensor.name).second)
            throw Error(where + "duplicate tensor name");
        const auto expected = byteCount(tensor.shape, tensor.dtype);
        if (!expected)
            throw Error(where + "shape has a negative dimension or too many elements");
        if (*expected != tensor.bytes.size())
            throw Error(where + "size mismatch: shape needs " + std::to_string(*expected) + " bytes of "
                        + std::string(dtypeName(tensor.dtype)) + " but " + std::to_string(tensor.bytes.size())
                        + " were given");
    }
}

// Widest elements first, then by name, as the reference writer does, so that every tensor starts at an
// offset aligned to its element size (the data section itself starts 8-aligned).
std::vector<const WritableTensor*> dataOrder(const std::vector<WritableTensor>& tensors)
{
    std::vector<const WritableTensor*> order;
    order.reserve(tensors.size());
    for (const auto& tensor : tensors)
        order.push_back(&tensor);
    std::sort(order.begin(), order.end(), [](const WritableTensor* a, const WritableTensor* b) {
        const auto sa = dtypeSize(a->dtype), sb = dtypeSize(b->dtype);
        return sa != sb ? sa > sb : a->name < b->name;
    });
    return order;
}

std::string buildHeader(const fs::path& path, const std::vector<const WritableTensor*>& order,
                        const std::map<std::string, std::string>& metadata)
{
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    for (const auto* tensor : order) {
        const std::uint64_t end = offset + tensor->bytes.size();
        header[tensor->name] = { { "dtype", dtypeName(tensor->dtype) },
                                 { "shape", tensor->shape },
                                 { "data_offsets", { offset, end } } };
        offset = end;
    }
    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::json::exception& e) { // names or metadata that are not valid UTF-8
        throw Error(label(path) + ": cannot encode the header: " + detail::printable(e.what()));
    }
    // Spaces pad the header so that the data section starts on an 8-byte boundary, as the reference
    // implementation does; readers skip trailing JSON whitespace.
    text.append((8 - text.size() % 8) % 8, ' ');
    return text;
}

// An open temporary file that is removed unless committed.
class TemporaryFile {
public:
    explicit TemporaryFile(const fs::path& target)
        : m_target(target)
    {
        static std::atomic<unsigned> counter { 0 };
        // pid + counter keeps concurrent writers (threads or processes) from sharing a temporary name.
        // Appended piece by piece: g++ 12 gives a false -Wrestrict on `"." + std::string`.
        std::string name = ".";
        name += target.filename().string();
        name += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
        m_path = target.parent_path() / name;
        m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (m_fd < 0)
            throw Error(label(target) + ": cannot create temporary file " + label(m_path) + ": " + std::strerror(errno));
    }
    ~TemporaryFile()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        if (!m_committed)
            ::unlink(m_path.c_str());
    }
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;

    void write(const void* data, std::size_t size)
    {
        const auto* p = static_cast<const char*>(data);
        while (size > 0) {
            const ssize_t n = ::write(m_fd, p, size);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                throw Error(label(m_target) + ": write failed: " + std::strerror(n < 0 ? errno : EIO));
            p += n;
            size -= static_cast<std::size_t>(n);
        }
    }

    void commit()
    {
        // fsync before rename: otherwise a crash can leave the new name pointing at an empty file.
        if (::fsync(m_fd) != 0)
            throw Error(label(m_target) + ": fsync failed: " + std::strerror(errno));
        const int fd = m_fd;
        m_fd = -1;
        if (::close(fd) != 0)
            throw Error(label(m_target) + ": close failed: " + std::strerror(errno));
        if (::rename(m_path.c_str(), m_target.c_str()) != 0)
            throw Error(label(m_target) + ": cannot rename temporary file into place: " + std::strerror(errno));
        m_committed = true;
    }

private:
    fs::path m_target;
    fs::path m_path;
    int m_fd = -1;
    bool m_committed = false;
};

} // namespace

WritableTensor WritableTensor::fromFloat32(std::string name, std::vector<std::int64_t> shape,
                                           std::span<const float> values, DType dtype)
{
    const auto expected = byteCount(shape, DType::F32);
    if (!expected || *expected / sizeof(float) != values.size())
        throw Error(detail::tensorLabel(name) + ": " + std::to_string(values.size())
                    + " values do not match the shape's element count");
    WritableTensor tensor;
    tensor.name = std::move(name);
    tensor.dtype = dtype;
    tensor.shape = std::move(shape);
    tensor.bytes.resize(values.size() * dtypeSize(dtype));
    convertFromFloat32(dtype, values, tensor.bytes);
    return tensor;
}

void writeSafetensors(const std::filesystem::path& path, const std::vector<WritableTensor>& tensors,
                      const std::map<std::string, std::string>& metadata)
{
    // Everything that can be refused is refused before a file is created.
    validate(path, tensors);
    const auto order = dataOrder(tensors);
    const std::string header = buildHeader(path, order, metadata);

    TemporaryFile file(path);
    const std::uint64_t headerLength = header.size(); // little-endian host, checked in dtype.cpp
    file.write(&headerLength, sizeof headerLength);
    file.write(header.data(), header.size());
    for (const auto* tensor : order)
        file.write(tensor->bytes.data(), tensor->bytes.size());
    file.commit();
}

} // namespace glvq::io
