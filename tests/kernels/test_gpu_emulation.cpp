// SPDX-License-Identifier: GPL-3.0-or-later
// The general (companding) kernels' per-thread maths (kernels/glvq_gpu_math.h) run on the host over the
// word-column layout, row by row as the kernels cut the work, and compared with the fp64 reference. This
// checks the layout, the extraction and the general-path decode on machines without a GPU; the tensor-core
// path's layout and extraction are checked in test_mma_layout.cpp, the CUDA glue in test_cuda.cpp.
#include "kernels/glvq_gpu_math.h"
#include "kernels/glvq_ref.h"
#include "tests/kernels/kernel_fixtures.h"

#include <gtest/gtest.h>

namespace kt = glvq::kernel_test;

namespace {

// The general path: per row (lane) and group, G from the image as the kernel stages it in shared memory.
template <int D, int NB>
std::vector<float> emulateGeneral(const glvq_gpu_image& image, const std::vector<float>& x, int batch)
{
    const glvq_gpu_view v = glvq_gpu_image_view(image);
    std::vector<float> y(static_cast<std::size_t>(batch * v.rows), 0.0f);
    for (std::int64_t row = 0; row < v.rows; ++row) {
        float acc[NB] = {};
        for (int g = 0; g < v.group_count; ++g)
            glvq_gpu_general_group<D, NB>(v, v.groups[g], v.generators + static_cast<std::size_t>(g) * D * D, row,
                                          x.data(), batch, acc);
        for (int t = 0; t < batch; ++t)
            y[static_cast<std::size_t>(t * v.rows + row)] = v.row_scales[row] * acc[t];
    }
    return y;
}

template <int D>
std::vector<float> emulateDecode(const glvq_gpu_image& image)
{
    const glvq_gpu_view v = glvq_gpu_image_view(image);
    std::vector<float> out(static_cast<std::size_t>(v.rows * v.cols));
    for (std::int64_t row = 0; row < v.rows; ++row)
        for (std::uint32_t sc = 0; sc < v.cols / D; ++sc) {
            const std::uint32_t g = v.subvector_group[sc];
            const glvq_gpu_group& grp = v.groups[g];
            float z[D];
            glvq_gpu_gather<D>(v, grp, row, sc - grp.first_column / D, z);
            const float* G = v.generators + static_cast<std::size_t>(g) * D * D;
            for (int a = 0; a < D; ++a) {
                float s = 0.0f;
                for (int b = 0; b < D; ++b)
                    s = fmaf(G[a * D + b], z[b], s);
                out[static_cast<std::size_t>(row * v.cols + sc * D + a)] = v.row_scales[row] * grp.scale * glvq_gpu_expand(s, grp);
            }
        }
    return out;
}

template <int D>
std::vector<float> emulateGeneralForBatch(const glvq_gpu_image& image, const std::vector<float>& x, int batch)
{
    if (batch == 1)
        return emulateGeneral<D, 1>(image, x, batch);
    return emulateGeneral<D, 16>(image, x, batch); // clamped batch rows beyond `batch` must not matter
}

std::vector<float> emulateGeneralAnyD(const glvq_gpu_image& image, const std::vector<float>& x, int batch)
{
    switch (image.dim) {
    case 2: return emulateGeneralForBatch<2>(image, x, batch);
    case 4: return emulateGeneralForBatch<4>(image, x, batch);
    case 8: return emulateGeneralForBatch<8>(image, x, batch);
    case 16: return emulateGeneralForBatch<16>(image, x, batch);
    default: return emulateGeneralForBatch<32>(image, x, batch);
    }
}

std::vector<float> emulateDecodeAnyD(const glvq_gpu_image& image)
{
    switch (image.dim) {
    case 2: return emulateDecode<2>(image);
    case 4: return emulateDecode<4>(image);
    case 8: return emulateDecode<8>(image);
    case 16: return emulateDecode<16>(image);
    default: return emulateDecode<32>(image);
    }
}

std::vector<kt::LayerSpec> specs(int companding)
{
    std::vector<kt::LayerSpec> out;
    std::uint64_t seed = 300 + static_cast<std::uint64_t>(companding) * 50;
    for (std::uint8_t bits : {1, 2, 3, 4})
        out.push_back(kt::uniformSpec(37, 256, 128, {bits}, 8, companding, true, seed++));
    out.push_back(kt::uniformSpec(130, 8 * 47, 40, {3, 1, 4, 2, 2}, 8, companding, false, seed++)); // ragged words
    out.push_back(kt::uniformSpec(1, 96, 48, {3, 4}, 16, companding, true, seed++));
    out.push_back(kt::uniformSpec(300, 192, 96, {2, 3}, 32, companding, true, seed++));
    out.push_back(kt::uniformSpec(9, 50, 10, {3, 1}, 2, companding, true, seed++));
    out.push_back(kt::uniformSpec(129, 84, 12, {4, 3, 2}, 4, companding, false, seed++));
    return out;
}

} // namespace

TEST(GpuEmulation, GeneralPathMatchesTheFp64Reference)
{
    for (int companding : {1, 2, 0})
        for (const auto& spec : specs(companding))
            for (int batch : {1, 5}) {
                const auto layer = kt::makeLayer(spec);
                const auto view = layer.view();
                glvq_gpu_image image;
                ASSERT_EQ(glvq_gpu_image_build(&view, &image), GLVQ_OK) << glvq_last_error();
                const auto x = kt::randomActivations(static_cast<std::size_t>(batch * layer.cols), spec.seed + 9);
                const auto ref = kt::productFp64(kt::decodeFp64(layer), layer.rows, layer.cols, x, batch);
                const auto y = emulateGeneralAnyD(image, x, batch);
                // exp2f(t) − 1 instead of expm1f: ~1e-7 absolute per weight where ρ^|v| − 1 cancels (observed
                // ≤ 1.3e-5 over these layers); the linear groups of companding 2 are exact as above
                EXPECT_LT(kt::relativeError(y.data(), ref), 1e-4)
                    << "companding=" << companding << " d=" << spec.dim << " batch=" << batch;
            }
}

TEST(GpuEmulation, DecodeMatchesTheCpuReference)
{
    for (int companding : {0, 1, 2})
        for (const auto& spec : specs(companding)) {
            const auto layer = kt::makeLayer(spec);
            const auto view = layer.view();
            glvq_gpu_image image;
            ASSERT_EQ(glvq_gpu_image_build(&view, &image), GLVQ_OK);
            const auto out = emulateDecodeAnyD(image);
            EXPECT_LT(kt::relativeError(out.data(), kt::decodeFp64(layer)), companding ? 1e-5 : 1e-6)
                << "companding=" << companding << " d=" << spec.dim;
        }
}
