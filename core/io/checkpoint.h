// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A Hugging Face checkpoint's weights: either one `model.safetensors` or shards listed by
// `model.safetensors.index.json`. Opening maps and validates every shard (cheap: only headers are read)
// and checks the index against them: a shard that is missing, a tensor the index names that its shard
// lacks, or a tensor present in two shards is a glvq::Error naming the file and tensor.
// Thread-safety: immutable after construction; concurrent reads are safe. Move-only.
#include "core/io/safetensors.h"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace glvq::io {

class Checkpoint {
public:
    // `path` is a checkpoint directory, a single .safetensors file, or an index .json file.
    static Checkpoint open(const std::filesystem::path& path);

    const std::filesystem::path& directory() const { return m_directory; }
    std::vector<std::string> tensorNames() const; // sorted
    bool contains(std::string_view name) const;
    const TensorInfo& info(std::string_view name) const;             // throws Error when absent
    const SafetensorsFile& fileOf(std::string_view name) const;     // the shard holding the tensor
    std::vector<float> readFloat32(std::string_view name) const;    // converted from F16/BF16/F32
    const std::vector<std::unique_ptr<SafetensorsFile>>& files() const { return m_files; }
    std::uint64_t totalTensorBytes() const;

private:
    std::filesystem::path m_directory;
    std::vector<std::unique_ptr<SafetensorsFile>> m_files;
    std::map<std::string, const SafetensorsFile*, std::less<>> m_owner;
};

} // namespace glvq::io
