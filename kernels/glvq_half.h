// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// IEEE binary16 ("fp16") <-> fp32 by bit manipulation, identical on host and device, so the packed layout's
// side info (G, μ, s_g, r) converts the same way everywhere without <cuda_fp16.h> or _Float16.
// Every fp16 value is exactly representable in fp32, so glvq_half_to_float is exact; glvq_float_to_half
// rounds to nearest, ties to even (IEEE default), overflowing to ±inf. Pure functions, thread-safe.
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define GLVQ_HD __host__ __device__
#else
#define GLVQ_HD
#endif

GLVQ_HD inline float glvq_bits_to_float(std::uint32_t bits)
{
#if defined(__CUDA_ARCH__)
    return __uint_as_float(bits);
#else
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
#endif
}

GLVQ_HD inline std::uint32_t glvq_float_to_bits(float f)
{
#if defined(__CUDA_ARCH__)
    return __float_as_uint(f);
#else
    std::uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    return bits;
#endif
}

GLVQ_HD inline float glvq_half_to_float(std::uint16_t h)
{
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1fu;
    const std::uint32_t mantissa = h & 0x3ffu;
    if (exponent == 0) {
        // zero or subnormal: mantissa · 2^-24, exact in fp32
        const float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-8f;
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 31)
        return glvq_bits_to_float(sign | 0x7f800000u | (mantissa << 13)); // inf or NaN (payload kept)
    return glvq_bits_to_float(sign | ((exponent + 112u) << 23) | (mantissa << 13)); // rebias 15 -> 127
}

GLVQ_HD inline std::uint16_t glvq_float_to_half(float f)
{
    const std::uint32_t x = glvq_float_to_bits(f);
    const std::uint32_t sign = (x >> 16) & 0x8000u;
    const std::uint32_t a = x & 0x7fffffffu;
    if (a > 0x7f800000u)
        return static_cast<std::uint16_t>(sign | 0x7e00u); // NaN -> quiet NaN
    if (a >= 0x477ff000u)
        return static_cast<std::uint16_t>(sign | 0x7c00u); // >= 65520 rounds to inf (and inf stays inf)
    if (a >= 0x38800000u) {                                 // >= 2^-14: a normal half
        std::uint32_t h = (((a >> 23) - 112u) << 10) | ((a >> 13) & 0x3ffu);
        const std::uint32_t rest = a & 0x1fffu;
        if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
            ++h; // a carry into the exponent is the correct rounding
        return static_cast<std::uint16_t>(sign | h);
    }
    if (a <= 0x33000000u)
        return static_cast<std::uint16_t>(sign); // <= 2^-25 rounds to ±0 (2^-25 itself is a tie to even 0)
    // subnormal half: round(value / 2^-24) with value = significand · 2^(e − 150)
    const std::uint32_t e = a >> 23;
    const std::uint32_t significand = (a & 0x7fffffu) | 0x800000u;
    const std::uint32_t shift = 126u - e; // 14 .. 24
    std::uint32_t m = significand >> shift;
    const std::uint32_t rest = significand & ((1u << shift) - 1u);
    const std::uint32_t halfway = 1u << (shift - 1u);
    if (rest > halfway || (rest == halfway && (m & 1u)))
        ++m;
    return static_cast<std::uint16_t>(sign | m);
}

// True when f survives fp32 -> fp16 -> fp32 unchanged and is finite (what the layout stores).
GLVQ_HD inline bool glvq_is_half_value(float f)
{
    const std::uint16_t h = glvq_float_to_half(f);
    return ((h >> 10) & 0x1fu) != 31u && glvq_float_to_bits(glvq_half_to_float(h)) == glvq_float_to_bits(f);
}

// Finite fp16 bit pattern (not inf / NaN).
GLVQ_HD inline bool glvq_half_is_finite(std::uint16_t h) { return ((h >> 10) & 0x1fu) != 31u; }
