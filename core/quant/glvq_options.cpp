// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/glvq_options.h"

#include "core/util/error.h"

namespace glvq::quant {

GlvqOptions GlvqOptions::paperFaithful()
{
    GlvqOptions options;
    options.companding = Companding::PaperKurtosis;
    options.rowScale = false;
    options.feedback = false;
    options.subvectorFeedback = false;
    return options;
}

void GlvqOptions::validate(const std::string& what) const
{
    if (dim != 2 && dim != 4 && dim != 8 && dim != 16 && dim != 32)
        throw Error(what + ": GLVQ lattice dimension d=" + std::to_string(dim) + " is not one of 2, 4, 8, 16, 32");
    if (maxIterations < 0 || patience < 1 || scaleSearchPoints < 1)
        throw Error(what + ": GLVQ iteration limits must be positive (maxIterations " + std::to_string(maxIterations)
                    + ", patience " + std::to_string(patience) + ", scale search points "
                    + std::to_string(scaleSearchPoints) + ")");
    if (rowScaleMantissaBits < 0 || rowScaleMantissaBits > 10)
        throw Error(what + ": GLVQ row-scale mantissa bits must be 0..10, got " + std::to_string(rowScaleMantissaBits));
    if (!(lambdaRel >= 0.0) || !(tolerance >= 0.0) || !(relativeDamp > 0.0))
        throw Error(what + ": GLVQ λ_rel and ε must be ≥ 0 and the damping > 0");
}

std::string toString(Companding companding)
{
    switch (companding) {
    case Companding::Off: return "off";
    case Companding::Learnable: return "learnable";
    case Companding::PaperKurtosis: return "paper-kurtosis";
    }
    return "?";
}

} // namespace glvq::quant
