// SPDX-License-Identifier: GPL-3.0-or-later
// fp32 <-> F16/BF16 conversion: known bit patterns, round-to-nearest-even, and exhaustive round trips.
#include "core/io/dtype.h"
#include "tests/io/io_test_util.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace glvq::io {
namespace {

float f32(std::uint32_t bits) { return std::bit_cast<float>(bits); }
std::uint32_t bitsOf(float value) { return std::bit_cast<std::uint32_t>(value); }

TEST(DType, NamesAndSizes)
{
    for (const auto dtype : { DType::F32, DType::F16, DType::BF16 })
        EXPECT_EQ(parseDType(dtypeName(dtype)), dtype);
    EXPECT_EQ(dtypeSize(DType::F32), 4u);
    EXPECT_EQ(dtypeSize(DType::F16), 2u);
    EXPECT_EQ(dtypeSize(DType::BF16), 2u);
    EXPECT_EQ(parseDType("F64"), std::nullopt);
    EXPECT_EQ(parseDType("bf16"), std::nullopt); // the spelling is case-sensitive
    EXPECT_EQ(parseDType("I8"), std::nullopt);
    EXPECT_EQ(parseDType(""), std::nullopt);
}

TEST(DType, Bf16KnownPatterns)
{
    EXPECT_EQ(floatToBf16(1.0f), 0x3F80);
    EXPECT_EQ(floatToBf16(-2.5f), 0xC020);
    EXPECT_EQ(floatToBf16(0.0f), 0x0000);
    EXPECT_EQ(floatToBf16(-0.0f), 0x8000);
    EXPECT_EQ(floatToBf16(std::numeric_limits<float>::infinity()), 0x7F80);
    EXPECT_EQ(floatToBf16(-std::numeric_limits<float>::infinity()), 0xFF80);
    EXPECT_EQ(floatToBf16(f32(0x00010000)), 0x0001); // smallest bf16 subnormal, 2^-133

    EXPECT_EQ(bf16ToFloat(0x3F80), 1.0f);
    EXPECT_EQ(bf16ToFloat(0xC020), -2.5f);
    EXPECT_EQ(bf16ToFloat(0x7F80), std::numeric_limits<float>::infinity());
    EXPECT_EQ(bf16ToFloat(0xFF80), -std::numeric_limits<float>::infinity());
    EXPECT_EQ(bitsOf(bf16ToFloat(0x0001)), 0x00010000u);
    EXPECT_EQ(bitsOf(bf16ToFloat(0x8000)), 0x80000000u);
    EXPECT_TRUE(std::isnan(bf16ToFloat(0x7FC0)));
    EXPECT_TRUE(std::isnan(bf16ToFloat(0x7F81)));
}

TEST(DType, Bf16RoundsToNearestEven)
{
    EXPECT_EQ(floatToBf16(f32(0x3F808000)), 0x3F80); // halfway, even below: down
    EXPECT_EQ(floatToBf16(f32(0x3F818000)), 0x3F82); // halfway, odd below: up
    EXPECT_EQ(floatToBf16(f32(0x3F808001)), 0x3F81); // above halfway: up
    EXPECT_EQ(floatToBf16(f32(0x3F807FFF)), 0x3F80); // below halfway: down
    EXPECT_EQ(floatToBf16(f32(0xBF818000)), 0xBF82); // sign is symmetric
    EXPECT_EQ(floatToBf16(f32(0x3FFFFFFF)), 0x4000); // carry into the exponent
    EXPECT_EQ(floatToBf16(std::numeric_limits<float>::max()), 0x7F80); // past the largest finite: inf
    EXPECT_EQ(floatToBf16(f32(0x7F7F7FFF)), 0x7F7F);
    EXPECT_EQ(floatToBf16(f32(0x00008000)), 0x0000); // half the smallest subnormal: even (zero)
    EXPECT_EQ(floatToBf16(f32(0x00018000)), 0x0002);
}

TEST(DType, Bf16NanStaysNan)
{
    // A NaN whose payload lives only in the dropped bits must not truncate into inf.
    for (const std::uint32_t nan : { 0x7F800001u, 0x7FC00000u, 0xFF800001u, 0x7FFFFFFFu }) {
        const auto bits = floatToBf16(f32(nan));
        EXPECT_TRUE(std::isnan(bf16ToFloat(bits))) << std::hex << nan;
        EXPECT_EQ(bits & 0x8000, (nan >> 16) & 0x8000) << "sign kept";
    }
}

TEST(DType, HalfKnownPatterns)
{
    EXPECT_EQ(floatToHalf(1.0f), 0x3C00);
    EXPECT_EQ(floatToHalf(-2.5f), 0xC100);
    EXPECT_EQ(floatToHalf(65504.0f), 0x7BFF);
    EXPECT_EQ(floatToHalf(-65504.0f), 0xFBFF);
    EXPECT_EQ(floatToHalf(0.0f), 0x0000);
    EXPECT_EQ(floatToHalf(-0.0f), 0x8000);
    EXPECT_EQ(floatToHalf(std::numeric_limits<float>::infinity()), 0x7C00);
    EXPECT_EQ(floatToHalf(-std::numeric_limits<float>::infinity()), 0xFC00);
    EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -24)), 0x0001); // smallest subnormal
    EXPECT_EQ(floatToHalf(std::ldexp(1023.0f, -24)), 0x03FF); // largest subnormal
    EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -14)), 0x0400); // smallest normal
    EXPECT_EQ(floatToHalf(-std::ldexp(1.0f, -24)), 0x8001);

    EXPECT_EQ(halfToFloat(0x3C00), 1.0f);
    EXPECT_EQ(halfToFloat(0xC100), -2.5f);
    EXPECT_EQ(halfToFloat(0x7BFF), 65504.0f);
    EXPECT_EQ(halfToFloat(0x7C00), std::numeric_limits<float>::infinity());
    EXPECT_EQ(halfToFloat(0xFC00), -std::numeric_limits<float>::infinity());
    EXPECT_EQ(halfToFloat(0x0001), std::ldexp(1.0f, -24));
    EXPECT_EQ(halfToFloat(0x03FF), std::ldexp(1023.0f, -24));
    EXPECT_EQ(halfToFloat(0x0400), std::ldexp(1.0f, -14));
    EXPECT_EQ(halfToFloat(0x8001), -std::ldexp(1.0f, -24));
    EXPECT_EQ(bitsOf(halfToFloat(0x8000)), 0x80000000u);
    EXPECT_TRUE(std::isnan(halfToFloat(0x7E00)));
    EXPECT_TRUE(std::isnan(halfToFloat(0x7C01)));
    EXPECT_TRUE(std::isnan(halfToFloat(0xFE00)));
}

TEST(DType, HalfRoundsToNearestEven)
{
    EXPECT_EQ(floatToHalf(65519.0f), 0x7BFF); // below the midpoint to inf
    EXPECT_EQ(floatToHalf(65520.0f), 0x7C00); // midpoint, odd below: inf
    EXPECT_EQ(floatToHalf(1e10f), 0x7C00);
    EXPECT_EQ(floatToHalf(-1e10f), 0xFC00);
    EXPECT_EQ(floatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3C00); // halfway, even below
    EXPECT_EQ(floatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02); // halfway, odd below
    EXPECT_EQ(floatToHalf(std::nextafter(1.0f + std::ldexp(1.0f, -11), 2.0f)), 0x3C01);
    EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -25)), 0x0000); // half the smallest subnormal: even (zero)
    EXPECT_EQ(floatToHalf(std::nextafter(std::ldexp(1.0f, -25), 1.0f)), 0x0001);
    EXPECT_EQ(floatToHalf(std::ldexp(3.0f, -25)), 0x0002); // 1.5 units: to even 2
    EXPECT_EQ(floatToHalf(std::ldexp(5.0f, -25)), 0x0002); // 2.5 units: to even 2
    EXPECT_EQ(floatToHalf(1e-10f), 0x0000);
    EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -14) - std::ldexp(1.0f, -25)), 0x0400); // into the normals
    EXPECT_EQ(floatToHalf(std::numeric_limits<float>::denorm_min()), 0x0000);
}

TEST(DType, HalfNanStaysNan)
{
    for (const std::uint32_t nan : { 0x7F800001u, 0x7FC00000u, 0xFF800001u, 0x7FFFFFFFu }) {
        const auto bits = floatToHalf(f32(nan));
        EXPECT_TRUE(std::isnan(halfToFloat(bits))) << std::hex << nan;
        EXPECT_EQ(bits & 0x8000, (nan >> 16) & 0x8000) << "sign kept";
    }
}

TEST(DType, EveryPatternRoundTrips)
{
    for (std::uint32_t i = 0; i < 0x10000; ++i) {
        const auto bits = static_cast<std::uint16_t>(i);
        const float half = halfToFloat(bits);
        const float bf16 = bf16ToFloat(bits);
        if (std::isnan(half)) {
            EXPECT_TRUE(std::isnan(halfToFloat(floatToHalf(half)))) << std::hex << i;
        } else {
            EXPECT_EQ(floatToHalf(half), bits) << std::hex << i;
        }
        if (std::isnan(bf16)) {
            EXPECT_TRUE(std::isnan(bf16ToFloat(floatToBf16(bf16)))) << std::hex << i;
        } else {
            EXPECT_EQ(floatToBf16(bf16), bits) << std::hex << i;
        }
    }
}

TEST(DType, RoundingPicksTheNearerNeighbour)
{
    // Properties that define round-to-nearest for any float: the result is within half a unit, and
    // no other representable value is nearer.
    std::mt19937 rng(1234);
    std::uniform_int_distribution<std::uint32_t> any;
    for (int i = 0; i < 200000; ++i) {
        const float value = f32(any(rng));
        if (!std::isfinite(value))
            continue;
        const auto bf = floatToBf16(value);
        const double back = bf16ToFloat(bf);
        if (std::isfinite(back)) {
            const double up = bf16ToFloat(static_cast<std::uint16_t>(bf + 1));
            const double down = bf16ToFloat(static_cast<std::uint16_t>(bf - 1));
            const double error = std::abs(back - value);
            if (std::isfinite(up)) {
                EXPECT_LE(error, std::abs(up - value)) << value;
            }
            if (std::isfinite(down)) {
                EXPECT_LE(error, std::abs(down - value)) << value;
            }
        }
    }
}

#ifdef __FLT16_MAX__
TEST(DType, HalfMatchesCompilerFloat16)
{
    // The compiler's _Float16 conversion (IEEE, round to nearest even) is an independent reference.
    std::mt19937 rng(42);
    std::uniform_int_distribution<std::uint32_t> any;
    std::uniform_real_distribution<float> small(-70000.0f, 70000.0f);
    for (int i = 0; i < 400000; ++i) {
        const float value = (i % 2) ? f32(any(rng)) : small(rng) * std::ldexp(1.0f, -(i % 40));
        const auto reference = static_cast<_Float16>(value);
        const auto refBits = std::bit_cast<std::uint16_t>(reference);
        const auto ours = floatToHalf(value);
        if (std::isnan(value)) {
            EXPECT_TRUE(std::isnan(halfToFloat(ours)));
            continue;
        }
        ASSERT_EQ(ours, refBits) << std::hexfloat << value;
        ASSERT_EQ(halfToFloat(refBits), static_cast<float>(reference));
    }
}
#endif

TEST(DType, BufferConversionRoundTrips)
{
    const std::vector<float> values = { 1.0f, -2.5f, 0.0f, 65504.0f, std::ldexp(1.0f, -24), 3.140625f };
    for (const auto dtype : { DType::F32, DType::F16, DType::BF16 }) {
        // One spare byte in front makes the element data unaligned, as it can be in an mmap.
        std::vector<std::byte> storage(values.size() * dtypeSize(dtype) + 1);
        const std::span<std::byte> bytes(storage.data() + 1, storage.size() - 1);
        convertFromFloat32(dtype, values, bytes);
        std::vector<float> back(values.size());
        convertToFloat32(dtype, bytes, back);
        for (std::size_t i = 0; i < values.size(); ++i) {
            const float expected = dtype == DType::F32 ? values[i]
                : dtype == DType::F16                  ? halfToFloat(floatToHalf(values[i]))
                                                       : bf16ToFloat(floatToBf16(values[i]));
            EXPECT_EQ(back[i], expected) << dtypeName(dtype) << " " << i;
        }
    }
    // Exactly representable in all three.
    EXPECT_EQ(halfToFloat(floatToHalf(3.140625f)), 3.140625f);
    EXPECT_EQ(bf16ToFloat(floatToBf16(3.140625f)), 3.140625f);
}

TEST(DType, BufferSizeMismatchIsAnError)
{
    std::vector<std::byte> bytes(7);
    std::vector<float> out(4);
    test::expectMessage(test::errorOf([&] { convertToFloat32(DType::BF16, bytes, out); }), { "7 bytes", "BF16" });
    test::expectMessage(test::errorOf([&] { convertFromFloat32(DType::F32, out, bytes); }), { "F32" });
    std::vector<std::byte> odd(9);
    std::vector<float> four(4);
    test::errorOf([&] { convertToFloat32(DType::F16, odd, four); });
}

} // namespace
} // namespace glvq::io
