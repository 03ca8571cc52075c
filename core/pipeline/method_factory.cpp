// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/method_factory.h"

#include "core/quant/e8_quantizer.h"
#include "core/quant/glvq_quantizer.h"
#include "core/quant/gptq_quantizer.h"
#include "core/quant/rtn_quantizer.h"
#include "core/util/error.h"

namespace glvq::pipeline {

namespace {

quant::GlvqOptions glvqOptions(const PipelineOptions& options)
{
    auto glvq = options.variant == "paper" ? quant::GlvqOptions::paperFaithful() : quant::GlvqOptions {};
    glvq.dim = options.dim;
    glvq.maxIterations = options.maxIterations;
    if (options.variant == "no-companding")
        glvq.companding = quant::Companding::Off;
    else if (options.variant == "no-row-scale")
        glvq.rowScale = false;
    else if (options.variant == "no-feedback")
        glvq.feedback = glvq.subvectorFeedback = false;
    else if (options.variant == "no-subvector-feedback")
        glvq.subvectorFeedback = false;
    else if (options.variant == "no-learning")
        glvq.learn = false;
    else if (options.variant == "shared-lattice")
        glvq.sharedLattice = true;
    glvq.rowScaleMantissaBits = options.rowScaleMantissaBits;

    return glvq;
}

} // namespace

std::unique_ptr<quant::LayerQuantizer> makeLayerQuantizer(const PipelineOptions& options)
{
    if (options.method == "glvq")
        return std::make_unique<quant::GlvqQuantizer>(glvqOptions(options));
    if (options.method == "rtn")
        return std::make_unique<quant::RtnQuantizer>();
    if (options.method == "gptq")
        return std::make_unique<quant::GptqQuantizer>(quant::GptqOptions { .actOrder = options.actOrder });
    if (options.method == "e8")
        return std::make_unique<quant::E8Quantizer>();
    throw Error("method '" + options.method + "' is not supported");
}

std::unique_ptr<quant::LayerQuantizer> makeAllocationQuantizer(const PipelineOptions& options)
{
    if (options.method != "glvq")
        return makeLayerQuantizer(options);
    auto glvq = glvqOptions(options);
    glvq.learn = false; // spec A11: untrained GLVQ (G0, μ0, Babai) ranks the splits
    return std::make_unique<quant::GlvqQuantizer>(glvq);
}

} // namespace glvq::pipeline
