// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A thin, exception-safe layer over the HDF5 C API for the deployment format (docs/FORMAT.md): RAII handles,
// typed datasets and attributes, and reads that check rank, shape, element class and size *before* reading,
// so a malformed file becomes a one-line glvq::Error naming the file and dataset, never a crash or a read
// past an array. HDF5's own error printing is switched off; its failures are reported through glvq::Error.
//
// Units: shapes and sizes in elements unless a name says bytes. Files are little-endian on disk (H5T_STD_*LE,
// H5T_IEEE_*LE) whatever the host.
// Thread-safety: Debian's serial libhdf5 is not thread-safe: use one H5File at a time per process.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace glvq::io::h5 {

// How a dataset is stored: contiguous, or chunked (~1 MiB chunks) with byte shuffle + gzip at `gzipLevel`.
struct Storage {
    int gzipLevel = 0; // 0: contiguous, no filter; 1..9: chunked + shuffle + deflate
};

class File {
public:
    enum class Mode { Create, Read }; // Create truncates; callers create under a temporary name only
    File(const std::filesystem::path& path, Mode mode);
    ~File();
    File(const File&) = delete;
    File& operator=(const File&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    void close(); // flushes; throws glvq::Error when HDF5 cannot finish the file

    // ---- writing ("object" is an absolute path, "/" for the root) ----
    void createGroup(const std::string& group);
    void setAttr(const std::string& object, const std::string& name, std::string_view value); // UTF-8 vlen string
    void setAttr(const std::string& object, const std::string& name, std::int64_t value);
    void setAttr(const std::string& object, const std::string& name, double value);
    template <typename T>
    void write(const std::string& dataset, std::span<const T> values, const std::vector<std::uint64_t>& shape,
               Storage storage = {});

    // ---- reading ----
    bool exists(const std::string& object) const;
    std::vector<std::string> children(const std::string& group) const; // sorted by name
    bool hasAttr(const std::string& object, const std::string& name) const;
    std::string attrString(const std::string& object, const std::string& name) const;
    std::int64_t attrInt(const std::string& object, const std::string& name) const;
    double attrDouble(const std::string& object, const std::string& name) const;
    std::vector<std::uint64_t> shape(const std::string& dataset) const;
    // Reads the whole dataset. Fails unless its element type has T's class, size and signedness and, when
    // `expected` is given, its shape equals `expected` exactly.
    template <typename T>
    std::vector<T> read(const std::string& dataset, const std::optional<std::vector<std::uint64_t>>& expected = {}) const;
    std::uint64_t storageBytes(const std::string& dataset) const; // bytes on disk (after compression)
    std::string where(const std::string& object) const;          // "file.h5: /layers/x", for error messages

private:
    std::filesystem::path m_path;
    std::int64_t m_id = -1;
};

} // namespace glvq::io::h5
