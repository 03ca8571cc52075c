// SPDX-License-Identifier: GPL-3.0-or-later
// GlvqLayerCodes: the decode formula, bits-per-weight accounting and layout validation.
#include "core/quant/companding.h"
#include "core/quant/glvq_codes.h"
#include "core/util/error.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace glvq::quant;

namespace {

GlvqGroupCodes makeGroup(std::int64_t first, std::int64_t columns, std::int64_t rows, int dim, int bits, float mu)
{
    GlvqGroupCodes group;
    group.firstColumn = first;
    group.columns = columns;
    group.bits = bits;
    group.generator.assign(static_cast<std::size_t>(dim * dim), 0.0f);
    for (int a = 0; a < dim; ++a)
        for (int b = 0; b <= a; ++b)
            group.generator[static_cast<std::size_t>(a * dim + b)] = a == b ? 0.5f : 0.125f;
    group.mu = mu;
    group.scale = 0.75f;
    group.codes.resize(static_cast<std::size_t>(rows * columns));
    for (std::size_t i = 0; i < group.codes.size(); ++i)
        group.codes[i] = static_cast<std::uint8_t>((i * 7 + 3) % (1u << bits));
    return group;
}

} // namespace

TEST(GlvqCodes, DecodeFollowsTheFormula)
{
    const std::int64_t rows = 3;
    const int d = 4;
    std::vector<GlvqGroupCodes> groups{makeGroup(0, 8, rows, d, 2, 0.0f), makeGroup(8, 4, rows, d, 3, 29.0f)};
    const std::vector<float> rowScales{1.0f, 0.5f, 2.0f};
    const GlvqLayerCodes codes(rows, 12, d, 8, rowScales, groups);
    const auto decoded = codes.decode();
    ASSERT_EQ(decoded.sizes(), (at::IntArrayRef{rows, 12}));
    for (const auto& group : groups) {
        const mulaw::MuLaw<double> law(group.mu);
        const double offset = ((1 << group.bits) - 1) / 2.0;
        for (std::int64_t i = 0; i < rows; ++i) {
            for (std::int64_t c = 0; c < group.columns; ++c) {
                const std::int64_t k = c / d * d;
                const int a = static_cast<int>(c % d);
                double v = 0.0;
                for (int b = 0; b < d; ++b)
                    v += group.generator[static_cast<std::size_t>(a * d + b)]
                         * (group.codes[static_cast<std::size_t>(i * group.columns + k + b)] - offset);
                const double expected = rowScales[static_cast<std::size_t>(i)] * group.scale * law.expand(v);
                EXPECT_NEAR(decoded[i][group.firstColumn + c].item<double>(), expected,
                            1e-6 * std::max(1.0, std::abs(expected)));
            }
        }
    }
    EXPECT_TRUE(at::equal(codes.decodeGroup(1), decoded.slice(1, 8, 12)));
}

TEST(GlvqCodes, BitsPerWeightMatchesTheFormula)
{
    const std::int64_t rows = 64;
    const std::int64_t cols = 256;
    const int d = 8;
    std::vector<GlvqGroupCodes> groups{makeGroup(0, 128, rows, d, 2, 1.0f), makeGroup(128, 128, rows, d, 3, 3.5f)};
    const std::vector<float> rowScales(static_cast<std::size_t>(rows), 1.0f);
    const GlvqLayerCodes withEverything(rows, cols, d, 128, rowScales, groups);
    const double side = 2 * (16.0 * d * d + 16 /*μ*/ + 16 /*s*/ + 2 /*b*/) + 16.0 * rows;
    const double code = (2.0 + 3.0) * rows * 128;
    EXPECT_DOUBLE_EQ(withEverything.sideBitsPerWeight(), side / (rows * cols));
    EXPECT_DOUBLE_EQ(withEverything.bitsPerWeight(), (code + side) / (rows * cols));

    // Companding off, no row scale: neither μ nor r is charged.
    groups[0].mu = groups[1].mu = 0.0f;
    const GlvqLayerCodes plain(rows, cols, d, 128, {}, groups);
    EXPECT_DOUBLE_EQ(plain.bitsPerWeight(), (code + 2 * (16.0 * d * d + 18)) / (rows * cols));

    // Shared lattice: the second group reuses the first's G (and μ), charged once.
    groups[1] = makeGroup(128, 128, rows, d, 2, 0.0f);
    groups[1].latticeSource = 0;
    const GlvqLayerCodes shared(rows, cols, d, 128, {}, groups);
    EXPECT_DOUBLE_EQ(shared.bitsPerWeight(), (4.0 * rows * 128 + 16.0 * d * d + 2 * 18) / (rows * cols));
}

TEST(GlvqCodes, RejectsInconsistentLayouts)
{
    const std::int64_t rows = 2;
    auto valid = [&] { return std::vector<GlvqGroupCodes>{makeGroup(0, 8, rows, 4, 2, 0.0f)}; };
    EXPECT_NO_THROW(GlvqLayerCodes(rows, 8, 4, 8, {}, valid()));
    EXPECT_THROW(GlvqLayerCodes(rows, 16, 4, 8, {}, valid()), glvq::Error); // columns not covered

    auto badCode = valid();
    badCode[0].codes[3] = 4; // 2-bit code out of range
    EXPECT_THROW(GlvqLayerCodes(rows, 8, 4, 8, {}, badCode), glvq::Error);

    auto notHalf = valid();
    notHalf[0].generator[0] = 0.1f; // not an fp16 value
    EXPECT_THROW(GlvqLayerCodes(rows, 8, 4, 8, {}, notHalf), glvq::Error);

    auto badBits = valid();
    badBits[0].bits = 5;
    try {
        GlvqLayerCodes(rows, 8, 4, 8, {}, badBits);
        FAIL() << "5-bit group accepted";
    } catch (const glvq::Error& e) {
        EXPECT_NE(std::string(e.what()).find("group 0"), std::string::npos) << e.what();
    }
    EXPECT_THROW(GlvqLayerCodes(rows, 8, 4, 8, {1.0f}, valid()), glvq::Error); // one row scale for two rows
}
