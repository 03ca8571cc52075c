// SPDX-License-Identifier: GPL-3.0-or-later
// CPU reference decode / fused GEMV / fused GEMM. Compiled with -ffp-contract=off (kernels/CMakeLists.txt):
// the decode must reproduce core/quant decodeGlvqGroup bit for bit, and a fused multiply-add would round
// G[a, b] · z_b + v once instead of twice.
#include "kernels/glvq_fail.h"
#include "kernels/glvq_ref.h"

#include <algorithm>
#include <cmath>
#include <new>
#include <string>
#include <vector>

namespace {

// One group's side info in fp32, converted once per call (fp16 -> fp32 is exact).
struct GroupDecoder {
    const std::uint32_t* words = nullptr;
    std::uint32_t rowWords = 0;
    std::uint32_t columns = 0;
    std::uint32_t bits = 0;
    std::uint32_t firstColumn = 0;
    float offset = 0.0f; // o_b = (2^b − 1)/2, as core computes it: float(2^b − 1) · 0.5f
    float mu = 0.0f;
    float lnRho = 0.0f;  // log1pf(μ), as MuLaw<float> computes it
    float scale = 0.0f;
    float generator[32 * 32];
};

void loadGroup(const glvq_packed_layer& L, std::int32_t g, GroupDecoder& out)
{
    out.words = L.words + L.word_offsets[g];
    out.columns = L.columns[g];
    out.bits = L.bits[g];
    out.rowWords = glvq_row_words(out.columns, out.bits);
    out.firstColumn = L.first_column[g];
    out.offset = static_cast<float>((1 << out.bits) - 1) * 0.5f;
    out.mu = glvq_half_to_float(L.mu[g]);
    out.lnRho = std::log1p(out.mu);
    out.scale = glvq_half_to_float(L.scale[g]);
    const std::int32_t dd = L.dim * L.dim;
    for (std::int32_t e = 0; e < dd; ++e)
        out.generator[e] = glvq_half_to_float(L.generators[static_cast<std::int64_t>(g) * dd + e]);
}

// F⁻¹_μ exactly as core/quant MuLaw<float>::expand.
inline float expand(float v, float mu, float lnRho)
{
    if (mu == 0.0f)
        return v;
    return std::copysign(std::expm1(std::fabs(v) * lnRho) / mu, v);
}

// Decodes row i of one group into dst[0 .. columns). The codes are read as a stream through a 64-bit
// window, which never loads a word beyond the row.
void decodeGroupRow(const GroupDecoder& G, std::int32_t dim, std::int64_t i, float rowScale, float* dst)
{
    const std::uint32_t* in = G.words + static_cast<std::uint64_t>(i) * G.rowWords;
    const std::uint32_t mask = (1u << G.bits) - 1u;
    const float scale = rowScale * G.scale;
    std::uint64_t window = 0;
    std::uint32_t available = 0;
    float z[32];
    for (std::uint32_t k = 0; k < G.columns; k += static_cast<std::uint32_t>(dim)) {
        for (std::int32_t b = 0; b < dim; ++b) {
            if (available < G.bits) {
                window |= static_cast<std::uint64_t>(*in++) << available;
                available += 32;
            }
            z[b] = static_cast<float>(static_cast<std::uint32_t>(window) & mask) - G.offset;
            window >>= G.bits;
            available -= G.bits;
        }
        for (std::int32_t a = 0; a < dim; ++a) {
            const float* g = G.generator + a * dim;
            float v = 0.0f;
            for (std::int32_t b = 0; b < dim; ++b)
                v += g[b] * z[b];
            dst[k + static_cast<std::uint32_t>(a)] = scale * expand(v, G.mu, G.lnRho);
        }
    }
}

// Shared body of GEMV and GEMM: y[t · rows + i] = Σ_j Ŵ[i, j] · x[t · cols + j], fp64 accumulation.
glvq_status fusedProduct(const glvq_packed_layer* layer, std::int64_t row_begin, std::int64_t row_end,
                         const float* x, std::int32_t batch, float* y, const char* what)
{
    if (const glvq_status s = glvq_check_row_range(layer, row_begin, row_end, what); s != GLVQ_OK)
        return s;
    if (!x || !y || batch < 1)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, std::string(what) + ": need x, y and batch >= 1");
    const glvq_packed_layer& L = *layer;
    try {
        std::vector<GroupDecoder> groups(static_cast<std::size_t>(L.group_count));
        std::uint32_t widest = 0;
        for (std::int32_t g = 0; g < L.group_count; ++g) {
            loadGroup(L, g, groups[static_cast<std::size_t>(g)]);
            widest = std::max(widest, L.columns[g]);
        }
        std::vector<float> wrow(widest);       // one decoded group row at a time, never the whole Ŵ
        std::vector<double> acc(static_cast<std::size_t>(batch));
        for (std::int64_t i = row_begin; i < row_end; ++i) {
            const float r = L.row_scales ? glvq_half_to_float(L.row_scales[i]) : 1.0f;
            std::fill(acc.begin(), acc.end(), 0.0);
            for (const GroupDecoder& G : groups) {
                decodeGroupRow(G, L.dim, i, r, wrow.data());
                for (std::int32_t t = 0; t < batch; ++t) {
                    const float* xs = x + static_cast<std::int64_t>(t) * L.cols + G.firstColumn;
                    double sum = acc[static_cast<std::size_t>(t)];
                    for (std::uint32_t j = 0; j < G.columns; ++j)
                        sum += static_cast<double>(wrow[j]) * static_cast<double>(xs[j]);
                    acc[static_cast<std::size_t>(t)] = sum;
                }
            }
            for (std::int32_t t = 0; t < batch; ++t)
                y[static_cast<std::int64_t>(t) * L.rows + i] = static_cast<float>(acc[static_cast<std::size_t>(t)]);
        }
    } catch (const std::bad_alloc&) {
        return glvq_fail(GLVQ_ERR_OUT_OF_MEMORY, std::string(what) + ": out of host memory");
    }
    return GLVQ_OK;
}

} // namespace

glvq_status glvq_decode_ref(const glvq_packed_layer* layer, std::int64_t row_begin, std::int64_t row_end,
                            float* out, std::int64_t out_row_stride)
{
    if (const glvq_status s = glvq_check_row_range(layer, row_begin, row_end, "decode"); s != GLVQ_OK)
        return s;
    if (!out || out_row_stride < layer->cols)
        return glvq_fail(GLVQ_ERR_INVALID_ARGUMENT, "decode: need an output with row stride >= cols");
    const glvq_packed_layer& L = *layer;
    GroupDecoder G;
    for (std::int32_t g = 0; g < L.group_count; ++g) {
        loadGroup(L, g, G);
        for (std::int64_t i = row_begin; i < row_end; ++i) {
            const float r = L.row_scales ? glvq_half_to_float(L.row_scales[i]) : 1.0f;
            decodeGroupRow(G, L.dim, i, r, out + i * out_row_stride + G.firstColumn);
        }
    }
    return GLVQ_OK;
}

glvq_status glvq_gemv_ref(const glvq_packed_layer* layer, std::int64_t row_begin, std::int64_t row_end,
                          const float* x, float* y)
{
    return fusedProduct(layer, row_begin, row_end, x, 1, y, "gemv");
}

glvq_status glvq_gemm_ref(const glvq_packed_layer* layer, std::int64_t row_begin, std::int64_t row_end,
                          const float* x, std::int32_t batch, float* y)
{
    return fusedProduct(layer, row_begin, row_end, x, batch, y, "gemm");
}
