// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Writing .safetensors files. The file is written to a temporary name beside the target and renamed into
// place, so an interrupted write never leaves a broken file under the final name.
#include "core/io/dtype.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace glvq::io {

struct WritableTensor {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::vector<std::byte> bytes; // little-endian elements of dtype, product(shape) * dtypeSize bytes

    // Encodes fp32 values as `dtype` (rounding to nearest even for F16/BF16).
    static WritableTensor fromFloat32(std::string name, std::vector<std::int64_t> shape, std::span<const float> values,
                                      DType dtype);
};

// Throws glvq::Error naming the file (and tensor) on duplicate names, size mismatches or I/O failure.
void writeSafetensors(const std::filesystem::path& path, const std::vector<WritableTensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

} // namespace glvq::io
