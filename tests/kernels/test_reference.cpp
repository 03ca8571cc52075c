// SPDX-License-Identifier: GPL-3.0-or-later
// CPU references: decode bit-identical to a straightforward decode of the uint8 codes (the formula of
// core/quant decodeGlvqGroup), fused GEMV/GEMM against decode-then-matmul in fp64, Babai encoding against a
// brute-force nearest point. Compiled with -ffp-contract=off like the references (tests/kernels/CMakeLists.txt).
#include "kernels/glvq_ref.h"
#include "tests/kernels/kernel_fixtures.h"

#include <gtest/gtest.h>

#include <cstring>

namespace kt = glvq::kernel_test;

namespace {

// Written from the spec, one weight at a time from the dense uint8 codes; same fp32 operations and order.
std::vector<float> straightforwardDecode(const kt::SyntheticLayer& L)
{
    std::vector<float> out(static_cast<std::size_t>(L.rows * L.cols));
    for (std::size_t g = 0; g < L.columns.size(); ++g) {
        const float offset = static_cast<float>((1 << L.bits[g]) - 1) * 0.5f;
        const float mu = glvq_half_to_float(L.mu[g]);
        const float lnRho = std::log1p(mu);
        const float s = glvq_half_to_float(L.scale[g]);
        for (std::int64_t i = 0; i < L.rows; ++i) {
            const float r = L.rowScales.empty() ? 1.0f : glvq_half_to_float(L.rowScales[static_cast<std::size_t>(i)]);
            const float scale = r * s;
            for (std::uint32_t k = 0; k < L.columns[g]; k += static_cast<std::uint32_t>(L.dim)) {
                float z[32];
                for (int b = 0; b < L.dim; ++b)
                    z[b] = static_cast<float>(L.codes[static_cast<std::size_t>(i * L.cols + L.firstColumn[g] + k + b)]) - offset;
                for (int a = 0; a < L.dim; ++a) {
                    float v = 0.0f;
                    for (int b = 0; b < L.dim; ++b)
                        v += L.generator(static_cast<std::int32_t>(g), a, b) * z[b];
                    const float e = mu == 0.0f ? v : std::copysign(std::expm1(std::fabs(v) * lnRho) / mu, v);
                    out[static_cast<std::size_t>(i * L.cols + L.firstColumn[g] + k + a)] = scale * e;
                }
            }
        }
    }
    return out;
}

std::vector<kt::LayerSpec> decodeSpecs()
{
    std::vector<kt::LayerSpec> specs {
        kt::uniformSpec(37, 512, 128, {2, 3, 4, 1}, 8, 0, true, 1),
        kt::uniformSpec(5, 192, 64, {3}, 16, 1, false, 2),
        kt::uniformSpec(3, 288, 96, {4, 2}, 32, 2, true, 3),
        kt::uniformSpec(17, 60, 10, {1, 2, 3}, 2, 1, true, 4),
        kt::uniformSpec(130, 96, 12, {3}, 4, 0, false, 5),
        kt::oddWidthsSpec(6),
    };
    return specs;
}

} // namespace

TEST(ReferenceDecode, BitIdenticalToStraightforwardDecode)
{
    for (const auto& spec : decodeSpecs()) {
        auto layer = kt::makeLayer(spec);
        layer.scale[0] = 0; // s_g = 0 decodes to zeros, whatever the codes
        const auto view = layer.view();
        std::vector<float> out(static_cast<std::size_t>(layer.rows * layer.cols), -1.0f);
        ASSERT_EQ(glvq_decode_ref(&view, 0, layer.rows, out.data(), layer.cols), GLVQ_OK) << glvq_last_error();
        const auto expected = straightforwardDecode(layer);
        ASSERT_EQ(std::memcmp(out.data(), expected.data(), out.size() * sizeof(float)), 0)
            << "d=" << spec.dim << " companding=" << spec.companding;
        EXPECT_EQ(out[0], 0.0f);
        EXPECT_LT(kt::relativeError(out.data(), kt::decodeFp64(layer)), 1e-6);
    }
}

TEST(ReferenceDecode, RowRangesWriteOnlyTheirRowsAndAgreeWithTheWhole)
{
    const auto layer = kt::makeLayer(kt::uniformSpec(20, 96, 32, {3, 2}, 8, 2, true, 8));
    const auto view = layer.view();
    std::vector<float> whole(20 * 96), part(20 * 100, 7.0f);
    ASSERT_EQ(glvq_decode_ref(&view, 0, 20, whole.data(), 96), GLVQ_OK);
    ASSERT_EQ(glvq_decode_ref(&view, 5, 12, part.data(), 100), GLVQ_OK); // row stride 100 > cols
    for (int i = 0; i < 20; ++i)
        for (int j = 0; j < 100; ++j) {
            const bool inside = i >= 5 && i < 12 && j < 96;
            ASSERT_EQ(part[i * 100 + j], inside ? whole[i * 96 + j] : 7.0f) << i << "," << j;
        }
    EXPECT_EQ(glvq_decode_ref(&view, 5, 21, part.data(), 100), GLVQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(glvq_decode_ref(&view, 0, 20, part.data(), 95), GLVQ_ERR_INVALID_ARGUMENT);
}

TEST(ReferenceProduct, FusedGemvAndGemmMatchDecodeThenMatmul)
{
    for (const auto& spec : decodeSpecs())
        for (int batch : {1, 3, 16, 20}) {
            const auto layer = kt::makeLayer(spec);
            const auto view = layer.view();
            std::vector<float> w(static_cast<std::size_t>(layer.rows * layer.cols));
            ASSERT_EQ(glvq_decode_ref(&view, 0, layer.rows, w.data(), layer.cols), GLVQ_OK);
            const std::vector<double> wd(w.begin(), w.end());
            const auto x = kt::randomActivations(static_cast<std::size_t>(batch * layer.cols), spec.seed + 100);
            const auto ref = kt::productFp64(wd, layer.rows, layer.cols, x, batch);
            std::vector<float> y(static_cast<std::size_t>(batch * layer.rows), NAN);
            if (batch == 1)
                ASSERT_EQ(glvq_gemv_ref(&view, 0, layer.rows, x.data(), y.data()), GLVQ_OK);
            else
                ASSERT_EQ(glvq_gemm_ref(&view, 0, layer.rows, x.data(), batch, y.data()), GLVQ_OK);
            EXPECT_LT(kt::relativeError(y.data(), ref), 1e-5) << "d=" << spec.dim << " batch=" << batch;
            // and against the exact maths (fp64 decode): only the fp32 rounding of Ŵ separates them
            EXPECT_LT(kt::relativeError(y.data(), kt::productFp64(kt::decodeFp64(layer), layer.rows, layer.cols, x, batch)),
                      1e-5);
        }
}

TEST(ReferenceProduct, RejectsBadArguments)
{
    const auto layer = kt::makeLayer(kt::uniformSpec(4, 16, 16, {2}, 8, 0, false, 9));
    const auto view = layer.view();
    std::vector<float> x(16), y(4);
    EXPECT_EQ(glvq_gemm_ref(&view, 0, 4, x.data(), 0, y.data()), GLVQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(glvq_gemv_ref(&view, 0, 4, nullptr, y.data()), GLVQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(glvq_gemv_ref(&view, 3, 2, x.data(), y.data()), GLVQ_ERR_INVALID_ARGUMENT);
    auto bad = layer;
    bad.wordOffsets[1] = 1;
    const auto badView = bad.view();
    EXPECT_EQ(glvq_gemv_ref(&badView, 0, 4, x.data(), y.data()), GLVQ_ERR_BAD_LAYOUT);
}
