// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Element types of checkpoint tensors and their conversion to and from fp32.
// All functions are pure and thread-safe.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace glvq::io {

enum class DType { F32, F16, BF16 };

std::size_t dtypeSize(DType dtype);          // bytes per element
std::string_view dtypeName(DType dtype);     // safetensors spelling: "F32", "F16", "BF16"
std::optional<DType> parseDType(std::string_view name); // nullopt for anything unsupported

float bf16ToFloat(std::uint16_t bits);
float halfToFloat(std::uint16_t bits);
std::uint16_t floatToBf16(float value);      // round to nearest even; NaN stays NaN
std::uint16_t floatToHalf(float value);      // round to nearest even; overflow gives ±inf

// Converts `out.size()` little-endian elements of `dtype` from `src` (exactly out.size() * dtypeSize bytes).
void convertToFloat32(DType dtype, std::span<const std::byte> src, std::span<float> out);
// Encodes fp32 values as `dtype` into `out` (exactly values.size() * dtypeSize bytes).
void convertFromFloat32(DType dtype, std::span<const float> values, std::span<std::byte> out);

} // namespace glvq::io
