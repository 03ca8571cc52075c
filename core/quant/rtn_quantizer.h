// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Round-to-nearest ("rtn"): per output row and per column group, the fixtures' asymmetric min-max grid
// (see scalar_codes.h for the exact fp32 formula), each weight rounded on its own. Bit-exact with the
// reference RTN numbers in ../shared/fixtures. Needs no Hessian; when one is given, the per-group proxy
// loss and the layer's relative output error are reported as well.
// Thread-safety: stateless; quantize() may run concurrently on different inputs. Polls `cancel` per group.
#include "core/quant/layer_quantizer.h"

namespace glvq::quant {

class RtnQuantizer final : public LayerQuantizer {
public:
    std::string method() const override { return "rtn"; }
    bool needsHessian() const override { return false; }
    // groupBits may mix widths (1..8 bits per group). Result codes are ScalarLayerCodes.
    LayerResult quantize(const LayerInput& input, const CancelToken& cancel) const override;
};

} // namespace glvq::quant
