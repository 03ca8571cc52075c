// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/dtype.h"

#include "core/util/error.h"

#include <bit>
#include <cstring>
#include <string>

// Checkpoints are little-endian on disk; the conversions below copy element bytes straight into host
// integers, which is only right on a little-endian host.
static_assert(std::endian::native == std::endian::little, "glvq::io assumes a little-endian host");

namespace glvq::io {

std::size_t dtypeSize(DType dtype)
{
    switch (dtype) {
    case DType::F32:
        return 4;
    case DType::F16:
    case DType::BF16:
        return 2;
    }
    return 0;
}

std::string_view dtypeName(DType dtype)
{
    switch (dtype) {
    case DType::F32:
        return "F32";
    case DType::F16:
        return "F16";
    case DType::BF16:
        return "BF16";
    }
    return "?";
}

std::optional<DType> parseDType(std::string_view name)
{
    if (name == "F32")
        return DType::F32;
    if (name == "F16")
        return DType::F16;
    if (name == "BF16")
        return DType::BF16;
    return std::nullopt;
}

float bf16ToFloat(std::uint16_t bits)
{
    // bf16 is the top half of an fp32, so widening is exact for every pattern (NaN payloads included).
    return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

float halfToFloat(std::uint16_t bits)
{
    const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
    const std::uint32_t exponent = (bits >> 10) & 0x1Fu;
    const std::uint32_t mantissa = bits & 0x3FFu;
    if (exponent == 0x1Fu) // inf or NaN; the payload moves to the top of the fp32 mantissa
        return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));
    if (exponent != 0) // normal: rebias 15 -> 127
        return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
    // Zero or subnormal: mantissa * 2^-24 is exact in fp32 (11 significant bits at most).
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return std::bit_cast<float>(sign | std::bit_cast<std::uint32_t>(magnitude));
}

std::uint16_t floatToBf16(float value)
{
    const std::uint32_t u = std::bit_cast<std::uint32_t>(value);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) // NaN: truncation could clear the payload into inf, so force quiet bit
        return static_cast<std::uint16_t>((u >> 16) | 0x0040u);
    // Round to nearest even on the 16 dropped bits; a carry into the exponent is the correct result
    // (including overflow to inf past the largest finite bf16).
    const std::uint32_t rounded = u + 0x7FFFu + ((u >> 16) & 1u);
    return static_cast<std::uint16_t>(rounded >> 16);
}

std::uint16_t floatToHalf(float value)
{
    const std::uint32_t u = std::bit_cast<std::uint32_t>(value);
    const auto sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
    const std::uint32_t a = u & 0x7FFFFFFFu;
    if (a > 0x7F800000u) // NaN: keep the top payload bits, always quiet so it cannot become inf
        return static_cast<std::uint16_t>(sign | 0x7E00u | ((a >> 13) & 0x3FFu));
    if (a >= 0x477FF000u) // >= 65520, the midpoint above 65504 (odd mantissa): rounds to inf
        return static_cast<std::uint16_t>(sign | 0x7C00u);
    if (a >= 0x38800000u) { // normal half (>= 2^-14): rebias and round off 13 mantissa bits
        const std::uint32_t rebased = a - (112u << 23);
        std::uint32_t result = rebased >> 13;
        const std::uint32_t remainder = rebased & 0x1FFFu;
        if (remainder > 0x1000u || (remainder == 0x1000u && (result & 1u)))
            ++result; // a carry into the exponent is still the right encoding
        return static_cast<std::uint16_t>(sign | result);
    }
    if (a <= 0x33000000u) // <= 2^-25: half of the smallest subnormal or less rounds (to even) to zero
        return sign;
    // Subnormal half: value / 2^-24 rounded to nearest even; reaching 0x400 is the smallest normal.
    const std::uint32_t exponent = a >> 23;
    const std::uint32_t mantissa = (a & 0x7FFFFFu) | 0x800000u;
    const std::uint32_t shift = 126u - exponent; // 14..24 in this range
    std::uint32_t result = mantissa >> shift;
    const std::uint32_t remainder = mantissa & ((1u << shift) - 1u);
    const std::uint32_t halfway = 1u << (shift - 1u);
    if (remainder > halfway || (remainder == halfway && (result & 1u)))
        ++result;
    return static_cast<std::uint16_t>(sign | result);
}

namespace {

void checkSizes(std::string_view what, DType dtype, std::size_t byteCount, std::size_t elementCount)
{
    if (byteCount / dtypeSize(dtype) != elementCount || byteCount % dtypeSize(dtype) != 0)
        throw Error(std::string(what) + ": " + std::to_string(byteCount) + " bytes do not hold "
                    + std::to_string(elementCount) + " " + std::string(dtypeName(dtype)) + " elements");
}

} // namespace

void convertToFloat32(DType dtype, std::span<const std::byte> src, std::span<float> out)
{
    checkSizes("convertToFloat32", dtype, src.size(), out.size());
    const std::byte* in = src.data();
    float* dst = out.data();
    const std::size_t n = out.size();
    switch (dtype) {
    case DType::F32:
        if (n != 0)
            std::memcpy(dst, in, n * sizeof(float));
        return;
    case DType::BF16:
        // memcpy per element keeps unaligned mmap data legal; compilers turn this loop into vector shifts.
        for (std::size_t i = 0; i < n; ++i) {
            std::uint16_t bits;
            std::memcpy(&bits, in + 2 * i, 2);
            const std::uint32_t wide = static_cast<std::uint32_t>(bits) << 16;
            std::memcpy(dst + i, &wide, 4);
        }
        return;
    case DType::F16:
        for (std::size_t i = 0; i < n; ++i) {
            std::uint16_t bits;
            std::memcpy(&bits, in + 2 * i, 2);
            dst[i] = halfToFloat(bits);
        }
        return;
    }
}

void convertFromFloat32(DType dtype, std::span<const float> values, std::span<std::byte> out)
{
    checkSizes("convertFromFloat32", dtype, out.size(), values.size());
    std::byte* dst = out.data();
    const std::size_t n = values.size();
    switch (dtype) {
    case DType::F32:
        if (n != 0)
            std::memcpy(dst, values.data(), n * sizeof(float));
        return;
    case DType::BF16:
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint16_t bits = floatToBf16(values[i]);
            std::memcpy(dst + 2 * i, &bits, 2);
        }
        return;
    case DType::F16:
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint16_t bits = floatToHalf(values[i]);
            std::memcpy(dst + 2 * i, &bits, 2);
        }
        return;
    }
}

} // namespace glvq::io
