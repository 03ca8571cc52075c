// SPDX-License-Identifier: GPL-3.0-or-later
// The fast CPU product (glvq_cpu.h) against the exact maths: the fp64 decode of the same codes times x in
// fp64. Shapes cover every lattice dimension the format allows in practice (1 … 32 and a non-power of two),
// group widths that are not multiples of 16 or of the 256-column tile, rows that do not fill the last block
// of 16, straddling 3-bit codes, mixed widths and mixed companding, batches 1 … 20; each on every instruction
// set this CPU runs (on an AVX-512 machine: all three builds of the row-block loop).
#include "kernels/glvq_cpu.h"
#include "kernels/glvq_ref.h"
#include "tests/kernels/kernel_fixtures.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace kt = glvq::kernel_test;

namespace {

std::vector<kt::LayerSpec> productSpecs()
{
    std::vector<kt::LayerSpec> specs {
        kt::uniformSpec(37, 512, 128, {2, 3, 4, 1}, 8, 1, true, 11),
        kt::uniformSpec(40, 512, 128, {2, 3, 4, 1}, 8, 0, true, 12),
        kt::uniformSpec(5, 192, 64, {3}, 16, 1, false, 13),
        kt::uniformSpec(19, 288, 96, {4, 2}, 32, 2, true, 14),
        kt::uniformSpec(17, 60, 10, {1, 2, 3}, 2, 1, true, 15),
        kt::uniformSpec(33, 52, 13, {3, 4}, 1, 2, true, 16),
        kt::uniformSpec(130, 96, 12, {3}, 4, 0, false, 17),
        kt::uniformSpec(21, 90, 30, {2, 3}, 3, 1, true, 18),     // d = 3: the run-time-d path
        kt::uniformSpec(9, 1020, 510, {3, 2}, 3, 1, true, 33),   // d = 3 past one tile: tiles of 255 columns
        kt::uniformSpec(18, 1040, 520, {3, 2}, 8, 2, true, 19),  // groups wider than one 256-column tile
        kt::oddWidthsSpec(20),
    };
    return specs;
}

std::string describe(const kt::LayerSpec& spec, int batch, glvq_cpu_isa isa)
{
    return "rows=" + std::to_string(spec.rows) + " d=" + std::to_string(spec.dim) + " companding="
           + std::to_string(spec.companding) + " batch=" + std::to_string(batch) + " isa=" + glvq_cpu_isa_name(isa);
}

// The instruction sets this CPU runs; the portable one always.
std::vector<glvq_cpu_isa> runnableIsas()
{
    const auto layer = kt::makeLayer(kt::uniformSpec(1, 8, 8, {2}, 8, 0, false, 1));
    const auto view = layer.view();
    const std::vector<float> x(8, 1.0f);
    float y = 0.0f;
    std::vector<glvq_cpu_isa> isas;
    for (glvq_cpu_isa isa : {GLVQ_CPU_ISA_PORTABLE, GLVQ_CPU_ISA_AVX2, GLVQ_CPU_ISA_AVX512}) {
        const glvq_status s = glvq_gemm_cpu_isa(isa, &view, 0, 1, x.data(), 1, &y);
        if (s == GLVQ_OK)
            isas.push_back(isa);
        else
            EXPECT_EQ(s, GLVQ_ERR_UNSUPPORTED) << glvq_last_error();
    }
    EXPECT_FALSE(isas.empty());
    return isas;
}

} // namespace

TEST(CpuProduct, TheBestInstructionSetIsOneThisCpuRuns)
{
    // The sets are ordered, each one implying the ones before it: the best is the last this CPU runs.
    EXPECT_EQ(glvq_cpu_isa_name(runnableIsas().back()), std::string(glvq_cpu_isa_name(glvq_cpu_best_isa())));
}

TEST(CpuProduct, MatchesTheExactProductForEveryShapeAndInstructionSet)
{
    for (glvq_cpu_isa isa : runnableIsas())
        for (const auto& spec : productSpecs())
            for (int batch : {1, 3, 20}) {
                const auto layer = kt::makeLayer(spec);
                const auto view = layer.view();
                const auto x = kt::randomActivations(static_cast<std::size_t>(batch * layer.cols), spec.seed + 200);
                const auto exact = kt::productFp64(kt::decodeFp64(layer), layer.rows, layer.cols, x, batch);
                std::vector<float> y(static_cast<std::size_t>(batch * layer.rows), NAN);
                ASSERT_EQ(glvq_gemm_cpu_isa(isa, &view, 0, layer.rows, x.data(), batch, y.data()), GLVQ_OK)
                    << glvq_last_error();
                EXPECT_LT(kt::relativeError(y.data(), exact), 2e-6) << describe(spec, batch, isa);
                EXPECT_LT(kt::maxRelativeError(y.data(), exact), 2e-6) << describe(spec, batch, isa);
            }
}

TEST(CpuProduct, AsCloseToTheExactProductAsTheReference)
{
    // The fast path trades the reference's order of operations for SIMD, not its accuracy.
    const auto layer = kt::makeLayer(kt::uniformSpec(64, 1024, 128, {2, 4, 3}, 8, 2, true, 21));
    const auto view = layer.view();
    const auto x = kt::randomActivations(static_cast<std::size_t>(layer.cols), 22);
    const auto exact = kt::productFp64(kt::decodeFp64(layer), layer.rows, layer.cols, x, 1);
    std::vector<float> fast(static_cast<std::size_t>(layer.rows)), ref(fast.size());
    ASSERT_EQ(glvq_gemm_cpu(&view, 0, layer.rows, x.data(), 1, fast.data()), GLVQ_OK);
    ASSERT_EQ(glvq_gemv_ref(&view, 0, layer.rows, x.data(), ref.data()), GLVQ_OK);
    EXPECT_LT(kt::relativeError(fast.data(), exact), 3.0 * kt::relativeError(ref.data(), exact) + 1e-7);
}

TEST(CpuProduct, SmallCompandedValuesKeepTheirRelativePrecision)
{
    // v = G z near 0 is where 2^t − 1 cancels: a product made only of such weights must still be exact to
    // fp32 precision, not to the 6e-8 absolute error of rounding 2^t first.
    auto layer = kt::makeLayer(kt::uniformSpec(32, 256, 128, {2}, 8, 1, false, 23));
    for (auto& g : layer.generators)
        g = kt::half(glvq_half_to_float(g) * 1e-3f);
    const auto view = layer.view();
    const auto x = kt::randomActivations(static_cast<std::size_t>(layer.cols), 24);
    const auto exact = kt::productFp64(kt::decodeFp64(layer), layer.rows, layer.cols, x, 1);
    for (glvq_cpu_isa isa : runnableIsas()) {
        std::vector<float> y(static_cast<std::size_t>(layer.rows));
        ASSERT_EQ(glvq_gemm_cpu_isa(isa, &view, 0, layer.rows, x.data(), 1, y.data()), GLVQ_OK);
        EXPECT_LT(kt::maxRelativeError(y.data(), exact), 2e-6) << glvq_cpu_isa_name(isa);
    }
}

TEST(CpuProduct, RowRangesWriteOnlyTheirRowsAndAgreeBitForBit)
{
    const auto layer = kt::makeLayer(kt::uniformSpec(45, 384, 128, {3, 2}, 8, 2, true, 25));
    const auto view = layer.view();
    const int batch = 2;
    const auto x = kt::randomActivations(static_cast<std::size_t>(batch * layer.cols), 26);
    for (glvq_cpu_isa isa : runnableIsas()) {
        std::vector<float> whole(static_cast<std::size_t>(batch * layer.rows));
        ASSERT_EQ(glvq_gemm_cpu_isa(isa, &view, 0, layer.rows, x.data(), batch, whole.data()), GLVQ_OK);
        std::vector<float> parts(whole.size(), 7.0f);
        ASSERT_EQ(glvq_gemm_cpu_isa(isa, &view, 3, 22, x.data(), batch, parts.data()), GLVQ_OK); // blocks from row 3
        ASSERT_EQ(glvq_gemm_cpu_isa(isa, &view, 22, 22, x.data(), batch, parts.data()), GLVQ_OK); // empty range
        for (int t = 0; t < batch; ++t)
            for (int i = 0; i < layer.rows; ++i) {
                const std::size_t k = static_cast<std::size_t>(t * layer.rows + i);
                if (i >= 3 && i < 22)
                    ASSERT_EQ(std::memcmp(&parts[k], &whole[k], sizeof(float)), 0)
                        << "row " << i << " batch row " << t << " " << glvq_cpu_isa_name(isa);
                else
                    ASSERT_EQ(parts[k], 7.0f) << "row " << i << " was written";
            }
    }
}

TEST(CpuProduct, ABatchRowGetsTheSameBitsWhateverBatchItCameIn)
{
    // Batch rows go four at a time and then one by one: row 4 of a batch of 5 takes the other path than rows
    // 0-3, and each must still equal the row multiplied on its own.
    const auto layer = kt::makeLayer(kt::uniformSpec(20, 256, 128, {2, 3}, 8, 2, true, 29));
    const auto view = layer.view();
    const int batch = 5;
    const auto x = kt::randomActivations(static_cast<std::size_t>(batch * layer.cols), 30);
    for (glvq_cpu_isa isa : runnableIsas()) {
        std::vector<float> together(static_cast<std::size_t>(batch * layer.rows));
        ASSERT_EQ(glvq_gemm_cpu_isa(isa, &view, 0, layer.rows, x.data(), batch, together.data()), GLVQ_OK);
        for (int t = 0; t < batch; ++t) {
            std::vector<float> alone(static_cast<std::size_t>(layer.rows));
            ASSERT_EQ(glvq_gemm_cpu_isa(isa, &view, 0, layer.rows, x.data() + t * layer.cols, 1, alone.data()), GLVQ_OK);
            EXPECT_EQ(std::memcmp(alone.data(), together.data() + t * layer.rows, alone.size() * sizeof(float)), 0)
                << "batch row " << t << " " << glvq_cpu_isa_name(isa);
        }
    }
}

TEST(CpuProduct, ExtremeCompandingParametersStayExact)
{
    for (const auto& [what, layer] : kt::extremeCompandingLayers(31)) {
        const auto view = layer.view();
        const auto x = kt::randomActivations(static_cast<std::size_t>(layer.cols), 32);
        const auto exact = kt::productFp64(kt::decodeFp64(layer), layer.rows, layer.cols, x, 1);
        for (glvq_cpu_isa isa : runnableIsas()) {
            std::vector<float> y(static_cast<std::size_t>(layer.rows));
            ASSERT_EQ(glvq_gemm_cpu_isa(isa, &view, 0, layer.rows, x.data(), 1, y.data()), GLVQ_OK);
            EXPECT_LT(kt::maxRelativeError(y.data(), exact), 2e-6) << what << " " << glvq_cpu_isa_name(isa);
        }
    }
}

TEST(CpuProduct, OverflowGivesInfinityAsTheReferenceDoes)
{
    auto layer = kt::makeLayer(kt::uniformSpec(16, 16, 16, {4}, 8, 1, false, 27));
    layer.generators.assign(layer.generators.size(), kt::half(60000.0f)); // |v| · log2(1 + μ) far above 128
    const auto view = layer.view();
    const std::vector<float> x(16, 1.0f);
    std::vector<float> fast(16), ref(16);
    ASSERT_EQ(glvq_gemm_cpu(&view, 0, 16, x.data(), 1, fast.data()), GLVQ_OK);
    ASSERT_EQ(glvq_gemv_ref(&view, 0, 16, x.data(), ref.data()), GLVQ_OK);
    for (int i = 0; i < 16; ++i)
        EXPECT_EQ(std::isinf(fast[static_cast<std::size_t>(i)]), std::isinf(ref[static_cast<std::size_t>(i)])) << i;
}

TEST(CpuProduct, RejectsBadArgumentsWithAMessage)
{
    const auto layer = kt::makeLayer(kt::uniformSpec(4, 16, 16, {2}, 8, 0, false, 28));
    const auto view = layer.view();
    std::vector<float> x(16), y(4);
    EXPECT_EQ(glvq_gemm_cpu(&view, 0, 4, x.data(), 0, y.data()), GLVQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(glvq_gemm_cpu(&view, 0, 4, nullptr, 1, y.data()), GLVQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(glvq_gemm_cpu(&view, 3, 2, x.data(), 1, y.data()), GLVQ_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(glvq_last_error()).find("row range [3, 2)"), std::string::npos) << glvq_last_error();
    auto bad = layer;
    bad.wordOffsets[1] = 1;
    const auto badView = bad.view();
    EXPECT_EQ(glvq_gemm_cpu(&badView, 0, 4, x.data(), 1, y.data()), GLVQ_ERR_BAD_LAYOUT);
}
