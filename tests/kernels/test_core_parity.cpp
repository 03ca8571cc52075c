// SPDX-License-Identifier: GPL-3.0-or-later
// The kernels' CPU decode against the engine's own decoder (core/quant decodeGlvqGroup), bit for bit: the
// packed layout plus glvq_decode_ref must reproduce exactly the Ŵ the quantizer evaluated.
#include "core/quant/glvq_codes.h"
#include "kernels/glvq_ref.h"
#include "tests/kernels/kernel_fixtures.h"

#include <gtest/gtest.h>

#include <cstring>

namespace kt = glvq::kernel_test;

TEST(CoreParity, DecodeIsBitIdenticalToDecodeGlvqGroup)
{
    const std::vector<kt::LayerSpec> specs {
        kt::uniformSpec(37, 512, 128, {2, 3, 4, 1}, 8, 0, true, 1),
        kt::uniformSpec(29, 384, 128, {2, 3}, 8, 1, true, 2),
        kt::uniformSpec(5, 192, 64, {3}, 16, 2, false, 3),
        kt::uniformSpec(3, 288, 96, {4, 2}, 32, 1, true, 4),
        kt::uniformSpec(17, 60, 10, {1, 2, 3}, 2, 1, true, 5),
        kt::uniformSpec(64, 96, 12, {3}, 4, 2, false, 6),
    };
    for (const auto& spec : specs) {
        const auto layer = kt::makeLayer(spec);
        std::vector<float> rowScales;
        for (auto r : layer.rowScales)
            rowScales.push_back(glvq_half_to_float(r));
        std::vector<float> expected(static_cast<std::size_t>(layer.rows * layer.cols), -1.0f);
        for (std::size_t g = 0; g < layer.columns.size(); ++g) {
            glvq::quant::GlvqGroupCodes codes;
            codes.firstColumn = layer.firstColumn[g];
            codes.columns = layer.columns[g];
            codes.bits = layer.bits[g];
            for (int a = 0; a < layer.dim; ++a)
                for (int b = 0; b < layer.dim; ++b)
                    codes.generator.push_back(layer.generator(static_cast<std::int32_t>(g), a, b));
            codes.mu = glvq_half_to_float(layer.mu[g]);
            codes.scale = glvq_half_to_float(layer.scale[g]);
            for (std::int64_t i = 0; i < layer.rows; ++i)
                for (std::uint32_t j = 0; j < layer.columns[g]; ++j)
                    codes.codes.push_back(layer.codes[static_cast<std::size_t>(i * layer.cols + layer.firstColumn[g] + j)]);
            glvq::quant::decodeGlvqGroup(codes, layer.rows, layer.dim, rowScales.empty() ? nullptr : rowScales.data(),
                                         expected.data() + layer.firstColumn[g], layer.cols);
        }
        const auto view = layer.view();
        std::vector<float> out(expected.size(), -2.0f);
        ASSERT_EQ(glvq_decode_ref(&view, 0, layer.rows, out.data(), layer.cols), GLVQ_OK) << glvq_last_error();
        EXPECT_EQ(std::memcmp(out.data(), expected.data(), out.size() * sizeof(float)), 0)
            << "d=" << spec.dim << " companding=" << spec.companding;
    }
}
