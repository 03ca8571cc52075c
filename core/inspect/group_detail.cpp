// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/inspect/group_detail.h"

#include "core/inspect/studio_internal.h"
#include "core/quant/companding.h"
#include "core/quant/glvq_codes.h"
#include "core/quant/lattice_math.h"
#include "core/util/error.h"

#include <ATen/ATen.h>

namespace glvq::inspect {

namespace {

std::vector<float> columnsOf(const at::Tensor& matrix, std::int64_t first, std::int64_t count)
{
    const auto block = matrix.narrow(1, first, count).contiguous().to(at::kFloat);
    const float* data = block.data_ptr<float>();
    return { data, data + block.numel() };
}

void fillGlvq(GroupDetail& out, const quant::GlvqLayerCodes& codes, const at::Tensor* original)
{
    const auto& group = codes.groups()[std::size_t(out.group)];
    const int d = codes.dim();
    out.dim = d;
    out.mu = group.mu;
    out.scale = group.scale;
    out.valuesNormalized = true;
    out.generator.assign(group.generator.begin(), group.generator.end());
    out.initialGenerator.assign(group.initialGenerator.begin(), group.initialGenerator.end());
    const std::size_t n = std::size_t(out.rows * out.columns);
    out.latticePoints.resize(n);
    out.reconstructed.resize(n);
    const quant::mulaw::MuLaw<double> law(group.mu);
    const double offset = quant::codeOffset(group.bits);
    for (std::int64_t i = 0; i < out.rows; ++i)
        for (std::int64_t k = 0; k < out.columns / d; ++k) {
            const std::size_t base = std::size_t(i * out.columns + k * d);
            for (int a = 0; a < d; ++a) {
                double v = 0.0; // v_a = Σ_b G[a, b] (u_b − o_b), the decoder's formula (glvq_codes.h)
                for (int b = 0; b < d; ++b)
                    v += double(group.generator[std::size_t(a * d + b)]) * (double(group.codes[base + b]) - offset);
                out.latticePoints[base + a] = float(v);
                out.reconstructed[base + a] = float(law.expand(v));
            }
        }
    if (!original)
        return;
    const auto& rowScales = codes.rowScales();
    out.original = columnsOf(*original, out.firstColumn, out.columns);
    out.companded.resize(n);
    for (std::int64_t i = 0; i < out.rows; ++i) {
        const double unit = (rowScales.empty() ? 1.0 : double(rowScales[std::size_t(i)])) * group.scale;
        for (std::int64_t c = 0; c < out.columns; ++c) {
            const std::size_t at = std::size_t(i * out.columns + c);
            const double x = unit != 0.0 ? out.original[at] / unit : 0.0;
            out.original[at] = float(x);
            out.companded[at] = float(law.compress(x));
        }
    }
}

} // namespace

GroupDetail groupDetail(const ModelSession* session, const QuantizedLayer& layer, int group)
{
    const auto& summary = layer.summary;
    if (group < 0 || std::size_t(group) >= summary.groups.size())
        throw Error(summary.name + ": group " + std::to_string(group) + " out of range (layer has "
                    + std::to_string(summary.groups.size()) + " groups)");
    GroupDetail out;
    out.layer = summary.name;
    out.group = group;
    out.method = summary.method;
    out.bits = summary.groups[std::size_t(group)].bits;
    out.rows = summary.rows;
    out.firstColumn = std::int64_t(group) * summary.groupSize;
    out.columns = std::min(summary.groupSize, summary.cols - out.firstColumn);
    const at::Tensor* original = nullptr;
    if (session) {
        const auto it = session->originalWeights.find(summary.name);
        if (it != session->originalWeights.end())
            original = &it->second;
    }
    if (!original)
        out.missing = "original weights: an exported .h5 holds codes only; open the checkpoint to compare";
    const auto decoded = columnsOf(layer.decoded, out.firstColumn, out.columns);
    if (const auto* glvq = dynamic_cast<const quant::GlvqLayerCodes*>(layer.codes.get())) {
        fillGlvq(out, *glvq, original);
    } else {
        out.dim = summary.dim;
        out.scale = summary.groups[std::size_t(group)].scale;
        out.reconstructed = decoded;
        if (original)
            out.original = columnsOf(*original, out.firstColumn, out.columns);
    }
    if (original) {
        const auto weights = columnsOf(*original, out.firstColumn, out.columns);
        out.error.resize(weights.size());
        for (std::size_t i = 0; i < weights.size(); ++i)
            out.error[i] = weights[i] - decoded[i];
    }
    return out;
}

} // namespace glvq::inspect
