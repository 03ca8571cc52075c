// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A GLVQ layer's codes and side information as the owning arrays behind a kernels/ glvq_packed_layer: the
// packed stream of docs/FORMAT.md §4 with fp16 side info. Export writes these arrays; the fused kernels
// (FusedGlvqLinear) read them. Building one from GlvqLayerCodes is exact: every stored float is
// fp16-representable (GlvqLayerCodes checks it), so the kernels decode the same Ŵ as GlvqLayerCodes::decode().
#include "kernels/glvq_packed_storage.h"

#include <string>

namespace glvq::quant {
class GlvqLayerCodes;
}

namespace glvq::pipeline {

// The arrays export writes and FusedGlvqLinear reads (kernels/glvq_packed_storage.h).
using PackedGlvqLayer = kernels::PackedLayerStorage;

// Throws glvq::Error naming `layerName` when the kernels' packer rejects the codes.
PackedGlvqLayer packGlvqLayer(const quant::GlvqLayerCodes& codes, const std::string& layerName);

} // namespace glvq::pipeline
