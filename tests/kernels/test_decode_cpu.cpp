// SPDX-License-Identifier: GPL-3.0-or-later
// The fast CPU decoder (glvq_cpu.h) against the exact maths (the fp64 decode of the same codes), row by row, on
// every instruction set this CPU runs; shapes as the product's tests: every lattice dimension, odd and wide
// groups, straddling 3-bit codes, partial row blocks, mixed companding.
#include "kernels/glvq_cpu.h"
#include "kernels/glvq_ref.h"
#include "tests/kernels/kernel_fixtures.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace kt = glvq::kernel_test;

namespace {

std::vector<glvq_cpu_isa> runnableIsas()
{
    std::vector<glvq_cpu_isa> isas;
    for (glvq_cpu_isa isa : {GLVQ_CPU_ISA_PORTABLE, GLVQ_CPU_ISA_AVX2, GLVQ_CPU_ISA_AVX512}) {
        const auto rank = static_cast<int>(isa);
        if (rank <= static_cast<int>(glvq_cpu_best_isa()))
            isas.push_back(isa);
    }
    return isas;
}

// Decodes rows [begin, end) into a poisoned panel with padding, then returns them in row-major order in a
// buffer the size of the whole layer; elements outside the range keep the poison.
constexpr float kPoison = -7.25f;

std::vector<float> decodeRows(glvq_cpu_isa isa, const kt::SyntheticLayer& layer, std::int64_t begin, std::int64_t end)
{
    const auto view = layer.view();
    std::vector<float> w(static_cast<std::size_t>(layer.rows * layer.cols), kPoison);
    const std::int64_t stride = (end - begin) + 5; // the padding must stay untouched
    std::vector<float> panel(static_cast<std::size_t>(layer.cols * stride), kPoison);
    EXPECT_EQ(glvq_decode_transposed_cpu(isa, &view, begin, end, panel.data(), stride), GLVQ_OK) << glvq_last_error();
    for (std::int64_t j = 0; j < layer.cols; ++j)
        for (std::int64_t k = 0; k < stride; ++k) {
            const float value = panel[static_cast<std::size_t>(j * stride + k)];
            if (k < end - begin)
                w[static_cast<std::size_t>((begin + k) * layer.cols + j)] = value;
            else
                EXPECT_EQ(value, kPoison) << "padding of column " << j << " was written";
        }
    return w;
}

// Worst |ŵ − w| / max |w| over each row in [begin, end); every other row must still hold the poison.
double worstRowError(const std::vector<float>& w, const std::vector<double>& exact, std::int64_t rows,
                     std::int64_t cols, std::int64_t begin, std::int64_t end)
{
    double worst = 0.0;
    for (std::int64_t i = 0; i < rows; ++i) {
        const std::size_t at = static_cast<std::size_t>(i * cols);
        if (i < begin || i >= end) {
            for (std::int64_t j = 0; j < cols; ++j)
                EXPECT_EQ(w[at + static_cast<std::size_t>(j)], kPoison) << "row " << i << " was written";
            continue;
        }
        const std::vector<double> row(exact.begin() + static_cast<std::ptrdiff_t>(at),
                                      exact.begin() + static_cast<std::ptrdiff_t>(at) + cols);
        worst = std::max(worst, kt::maxRelativeError(w.data() + at, row));
    }
    return worst;
}

std::vector<kt::LayerSpec> decodeSpecs()
{
    return {
        kt::uniformSpec(37, 512, 128, {2, 3, 4, 1}, 8, 1, true, 41),
        kt::uniformSpec(40, 512, 128, {2, 3, 4, 1}, 8, 0, true, 42),
        kt::uniformSpec(5, 192, 64, {3}, 16, 1, false, 43),
        kt::uniformSpec(19, 288, 96, {4, 2}, 32, 2, true, 44),
        kt::uniformSpec(17, 60, 10, {1, 2, 3}, 2, 1, true, 45),
        kt::uniformSpec(33, 52, 13, {3, 4}, 1, 2, true, 46),
        kt::uniformSpec(9, 1020, 510, {3, 2}, 3, 1, true, 47),  // run-time d, tiles of 255 columns
        kt::uniformSpec(18, 1040, 520, {3, 2}, 8, 2, true, 48), // groups wider than a tile
        kt::oddWidthsSpec(49),
    };
}

std::string describe(const kt::LayerSpec& spec, glvq_cpu_isa isa)
{
    return "rows=" + std::to_string(spec.rows) + " d=" + std::to_string(spec.dim) + " companding="
           + std::to_string(spec.companding) + " isa=" + glvq_cpu_isa_name(isa);
}

} // namespace

TEST(CpuDecode, MatchesTheExactDecodeRowByRow)
{
    for (const auto& spec : decodeSpecs()) {
        const auto layer = kt::makeLayer(spec);
        const auto exact = kt::decodeFp64(layer);
        // The whole layer, and a range that starts and ends inside row blocks of every width (4, 8, 16).
        const std::int64_t begin = std::min<std::int64_t>(3, layer.rows - 1);
        const std::int64_t end = std::max(begin + 1, layer.rows - 2);
        for (glvq_cpu_isa isa : runnableIsas()) {
            const auto whole = decodeRows(isa, layer, 0, layer.rows);
            EXPECT_LT(worstRowError(whole, exact, layer.rows, layer.cols, 0, layer.rows), 2e-6) << describe(spec, isa);
            const auto part = decodeRows(isa, layer, begin, end);
            EXPECT_LT(worstRowError(part, exact, layer.rows, layer.cols, begin, end), 2e-6)
                << describe(spec, isa) << " rows " << begin << ".." << end;
        }
    }
}

TEST(CpuDecode, EveryRowRangeHoldsTheSameBits)
{
    // A row's values do not depend on which rows share its block: panels may start anywhere.
    const auto layer = kt::makeLayer(kt::uniformSpec(45, 384, 128, {3, 2}, 8, 2, true, 51));
    for (glvq_cpu_isa isa : runnableIsas()) {
        const auto whole = decodeRows(isa, layer, 0, layer.rows);
        auto split = decodeRows(isa, layer, 0, 7);
        const auto rest = decodeRows(isa, layer, 7, layer.rows);
        std::copy(rest.begin() + 7 * layer.cols, rest.end(), split.begin() + 7 * layer.cols);
        EXPECT_EQ(std::memcmp(whole.data(), split.data(), whole.size() * sizeof(float)), 0) << glvq_cpu_isa_name(isa);
    }
}

TEST(CpuDecode, AsCloseToTheExactValuesAsTheReference)
{
    // Companded weights through the series instead of expm1f, G z with FMA: no less accurate than the
    // reference decoder the engine is bit-identical to, weight by weight (relative to its row's largest).
    const auto layer = kt::makeLayer(kt::uniformSpec(64, 1024, 128, {2, 4, 3}, 8, 2, true, 53));
    const auto view = layer.view();
    const auto exact = kt::decodeFp64(layer);
    std::vector<float> ref(exact.size());
    ASSERT_EQ(glvq_decode_ref(&view, 0, layer.rows, ref.data(), layer.cols), GLVQ_OK);
    const double refError = worstRowError(ref, exact, layer.rows, layer.cols, 0, layer.rows);
    for (glvq_cpu_isa isa : runnableIsas()) {
        const auto fast = decodeRows(isa, layer, 0, layer.rows);
        EXPECT_LT(worstRowError(fast, exact, layer.rows, layer.cols, 0, layer.rows), 2.0 * refError)
            << glvq_cpu_isa_name(isa);
    }
}

TEST(CpuDecode, ExtremeCompandingParametersStayExact)
{
    for (const auto& [what, layer] : kt::extremeCompandingLayers(55)) {
        const auto exact = kt::decodeFp64(layer);
        for (glvq_cpu_isa isa : runnableIsas()) {
            const auto w = decodeRows(isa, layer, 0, layer.rows);
            EXPECT_LT(worstRowError(w, exact, layer.rows, layer.cols, 0, layer.rows), 2e-6)
                << what << " " << glvq_cpu_isa_name(isa);
        }
    }
}

TEST(CpuDecode, RejectsAnOutputTooNarrowForThePanel)
{
    const auto layer = kt::makeLayer(kt::uniformSpec(20, 64, 64, {2}, 8, 0, true, 61));
    const auto view = layer.view();
    std::vector<float> out(static_cast<std::size_t>(layer.rows * layer.cols));
    EXPECT_EQ(glvq_decode_transposed_cpu(GLVQ_CPU_ISA_AUTO, &view, 4, 20, out.data(), 15), GLVQ_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(glvq_last_error()).find("decode (CPU)"), std::string::npos) << glvq_last_error();
    EXPECT_EQ(glvq_decode_transposed_cpu(GLVQ_CPU_ISA_AUTO, &view, 4, 21, out.data(), 64), GLVQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(glvq_decode_transposed_cpu(GLVQ_CPU_ISA_AUTO, &view, 0, 20, nullptr, 20), GLVQ_ERR_INVALID_ARGUMENT);
}
