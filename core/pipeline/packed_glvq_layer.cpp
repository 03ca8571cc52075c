// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/packed_glvq_layer.h"

#include "core/quant/glvq_codes.h"
#include "core/util/error.h"

namespace glvq::pipeline {

PackedGlvqLayer packGlvqLayer(const quant::GlvqLayerCodes& codes, const std::string& layerName)
{
    PackedGlvqLayer packed;
    packed.rows = codes.rows();
    packed.cols = codes.cols();
    packed.dim = codes.dim();
    std::vector<const std::uint8_t*> groupCodes;
    for (const auto& group : codes.groups()) {
        for (float value : group.generator)
            packed.generators.push_back(glvq_float_to_half(value));
        packed.mu.push_back(glvq_float_to_half(group.mu));
        packed.scale.push_back(glvq_float_to_half(group.scale));
        packed.bits.push_back(static_cast<std::uint8_t>(group.bits));
        packed.firstColumn.push_back(static_cast<std::uint32_t>(group.firstColumn));
        packed.columns.push_back(static_cast<std::uint32_t>(group.columns));
        groupCodes.push_back(group.codes.data());
    }
    for (float value : codes.rowScales())
        packed.rowScales.push_back(glvq_float_to_half(value));

    // Each group's codes are their own rows × columns block, so glvq_pack_layer packs them directly.
    const auto count = static_cast<std::int32_t>(packed.bits.size());
    packed.wordOffsets.resize(packed.bits.size() + 1);
    if (glvq_compute_word_offsets(packed.rows, count, packed.columns.data(), packed.bits.data(),
                                  packed.wordOffsets.data())
        != GLVQ_OK)
        throw Error(layerName + ": " + glvq_last_error());
    packed.words.resize(packed.wordOffsets.back());
    if (glvq_pack_layer(packed.rows, count, packed.columns.data(), packed.bits.data(), groupCodes.data(),
                        packed.wordOffsets.data(), packed.words.data(), packed.words.size())
        != GLVQ_OK)
        throw Error(layerName + ": " + glvq_last_error());
    return packed;
}

} // namespace glvq::pipeline
