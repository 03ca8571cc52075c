// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/glvq_codes.h"

#include "core/quant/companding.h"
#include "core/util/error.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/util/Half.h>

#include <algorithm>
#include <cmath>

namespace glvq::quant {
namespace {

bool isHalfRepresentable(float value)
{
    return std::isfinite(value) && static_cast<float>(c10::Half(value)) == value;
}

std::string groupName(std::size_t index) { return "GLVQ codes: group " + std::to_string(index); }

void validateGroup(const GlvqGroupCodes& group, std::size_t index, std::int64_t expectedFirst, std::int64_t rows,
                   int dim, const std::vector<GlvqGroupCodes>& earlier)
{
    const std::string what = groupName(index);
    if (group.firstColumn != expectedFirst)
        throw Error(what + " starts at column " + std::to_string(group.firstColumn) + ", expected "
                    + std::to_string(expectedFirst));
    if (group.columns <= 0 || group.columns % dim != 0)
        throw Error(what + " has " + std::to_string(group.columns) + " columns, not a positive multiple of d="
                    + std::to_string(dim));
    if (group.bits < 1 || group.bits > 4)
        throw Error(what + " has " + std::to_string(group.bits) + " bits, expected 1..4");
    if (group.generator.size() != static_cast<std::size_t>(dim * dim))
        throw Error(what + " has a generator of " + std::to_string(group.generator.size()) + " values, expected d²="
                    + std::to_string(dim * dim));
    if (!group.initialGenerator.empty() && group.initialGenerator.size() != group.generator.size())
        throw Error(what + " has an initial generator of the wrong size");
    if (!std::all_of(group.generator.begin(), group.generator.end(), isHalfRepresentable))
        throw Error(what + " has a generator entry that is not an fp16 value");
    if (!isHalfRepresentable(group.mu) || group.mu < 0.0f)
        throw Error(what + " has μ=" + std::to_string(group.mu) + ", expected a non-negative fp16 value");
    if (!isHalfRepresentable(group.scale) || group.scale < 0.0f)
        throw Error(what + " has scale " + std::to_string(group.scale) + ", expected a non-negative fp16 value");
    if (static_cast<std::int64_t>(group.codes.size()) != rows * group.columns)
        throw Error(what + " has " + std::to_string(group.codes.size()) + " codes, expected rows × columns = "
                    + std::to_string(rows * group.columns));
    const auto maxCode = static_cast<std::uint8_t>((1 << group.bits) - 1);
    if (std::any_of(group.codes.begin(), group.codes.end(), [maxCode](std::uint8_t u) { return u > maxCode; }))
        throw Error(what + " has a code above 2^bits − 1 = " + std::to_string(maxCode));
    if (group.latticeSource >= 0) {
        if (static_cast<std::size_t>(group.latticeSource) >= index)
            throw Error(what + " shares the lattice of a later group " + std::to_string(group.latticeSource));
        const auto& source = earlier[static_cast<std::size_t>(group.latticeSource)];
        if (source.generator != group.generator || source.mu != group.mu)
            throw Error(what + " claims to share the lattice of group " + std::to_string(group.latticeSource)
                        + " but its G or μ differs");
    }
}

} // namespace

GlvqLayerCodes::GlvqLayerCodes(std::int64_t rows, std::int64_t cols, int dim, std::int64_t groupSize,
                               std::vector<float> rowScales, std::vector<GlvqGroupCodes> groups)
    : m_rows(rows)
    , m_cols(cols)
    , m_dim(dim)
    , m_groupSize(groupSize)
    , m_rowScales(std::move(rowScales))
    , m_groups(std::move(groups))
{
    if (rows <= 0 || cols <= 0)
        throw Error("GLVQ codes: empty layer " + std::to_string(rows) + "×" + std::to_string(cols));
    if (dim < 1 || dim > 32)
        throw Error("GLVQ codes: lattice dimension " + std::to_string(dim) + " outside 1..32");
    if (!m_rowScales.empty() && static_cast<std::int64_t>(m_rowScales.size()) != rows)
        throw Error("GLVQ codes: " + std::to_string(m_rowScales.size()) + " row scales for "
                    + std::to_string(rows) + " rows");
    if (!std::all_of(m_rowScales.begin(), m_rowScales.end(), isHalfRepresentable))
        throw Error("GLVQ codes: a row scale is not an fp16 value");
    std::int64_t next = 0;
    for (std::size_t g = 0; g < m_groups.size(); ++g) {
        validateGroup(m_groups[g], g, next, rows, dim, m_groups);
        next += m_groups[g].columns;
    }
    if (next != cols)
        throw Error("GLVQ codes: groups cover " + std::to_string(next) + " of " + std::to_string(cols) + " columns");
}

void decodeGlvqGroup(const GlvqGroupCodes& codes, std::int64_t rows, int dim, const float* rowScales, float* out,
                     std::int64_t outStride)
{
    const float offset = static_cast<float>((1 << codes.bits) - 1) * 0.5f;
    const mulaw::MuLaw<float> law(codes.mu);
    const std::int64_t columns = codes.columns;
    const float* generator = codes.generator.data();
    const std::uint8_t* allCodes = codes.codes.data();
    const float groupScale = codes.scale;
    // Every output element depends only on its own sub-vector, so any partition into row ranges gives the same
    // bits; the fixed-order inner sum below is what makes Ŵ reproducible.
    const std::int64_t grain = std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(1, columns));
    at::parallel_for(0, rows, grain, [&](std::int64_t begin, std::int64_t end) {
        float z[32];
        for (std::int64_t i = begin; i < end; ++i) {
            const float scale = (rowScales ? rowScales[i] : 1.0f) * groupScale;
            const std::uint8_t* u = allCodes + i * columns;
            float* row = out + i * outStride;
            for (std::int64_t k = 0; k < columns; k += dim) {
                for (int b = 0; b < dim; ++b)
                    z[b] = static_cast<float>(u[k + b]) - offset;
                for (int a = 0; a < dim; ++a) {
                    const float* g = generator + a * dim;
                    float v = 0.0f;
                    for (int b = 0; b < dim; ++b)
                        v += g[b] * z[b];
                    row[k + a] = scale * law.expand(v);
                }
            }
        }
    });
}

at::Tensor GlvqLayerCodes::decodeGroup(std::size_t group) const
{
    const auto& codes = m_groups.at(group);
    auto out = at::empty({m_rows, codes.columns}, at::TensorOptions().dtype(at::kFloat));
    decodeGlvqGroup(codes, m_rows, m_dim, m_rowScales.empty() ? nullptr : m_rowScales.data(), out.data_ptr<float>(),
                    codes.columns);
    return out;
}

at::Tensor GlvqLayerCodes::decode() const
{
    auto out = at::empty({m_rows, m_cols}, at::TensorOptions().dtype(at::kFloat));
    float* base = out.data_ptr<float>();
    for (const auto& codes : m_groups)
        decodeGlvqGroup(codes, m_rows, m_dim, m_rowScales.empty() ? nullptr : m_rowScales.data(),
                        base + codes.firstColumn, m_cols);
    return out;
}

double glvqGroupSideBits(const GlvqGroupCodes& codes, int dim)
{
    double bits = 16.0 /* s_g */ + 2.0 /* bit width */;
    if (codes.latticeSource < 0) {
        bits += 16.0 * dim * dim;
        if (codes.mu != 0.0f)
            bits += 16.0;
    }
    return bits;
}

double GlvqLayerCodes::sideBitsPerWeight() const
{
    double bits = 16.0 * static_cast<double>(m_rowScales.size());
    for (const auto& codes : m_groups)
        bits += glvqGroupSideBits(codes, m_dim);
    return bits / (static_cast<double>(m_rows) * static_cast<double>(m_cols));
}

double GlvqLayerCodes::bitsPerWeight() const
{
    double codeBits = 0.0;
    for (const auto& codes : m_groups)
        codeBits += static_cast<double>(codes.bits) * static_cast<double>(m_rows) * static_cast<double>(codes.columns);
    return codeBits / (static_cast<double>(m_rows) * static_cast<double>(m_cols)) + sideBitsPerWeight();
}

} // namespace glvq::quant
