// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/quantization_pipeline.h"

#include "core/pipeline/bit_planner.h"
#include "core/pipeline/calibration_statistics.h"
#include "core/pipeline/hessian_accumulator.h"
#include "core/pipeline/method_factory.h"
#include "core/pipeline/quantized_linear.h"
#include "core/quant/hessian_math.h"
#include "core/util/error.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <chrono>

namespace glvq::pipeline {

namespace {

// Restores the model's capture hook and any temporarily swapped layers, whatever happens.
class ModelBorrow {
public:
    explicit ModelBorrow(model::CausalLM& model)
        : m_model(model)
    {
    }
    ~ModelBorrow()
    {
        m_model.setInputCapture({});
        restoreLayers();
    }
    void swapIn(const std::string& name, std::shared_ptr<const model::LinearOp> layer)
    {
        m_saved.emplace_back(name, m_model.replaceLinear(name, std::move(layer)));
    }
    void restoreLayers()
    {
        for (auto it = m_saved.rbegin(); it != m_saved.rend(); ++it)
            m_model.replaceLinear(it->first, it->second);
        m_saved.clear();
    }

private:
    model::CausalLM& m_model;
    std::vector<std::pair<std::string, std::shared_ptr<const model::LinearOp>>> m_saved;
};

std::uint64_t layerSeed(std::uint64_t seed, const std::string& name)
{
    std::uint64_t hash = 1469598103934665603ull ^ seed; // FNV-1a over the name, mixed with the run's seed
    for (unsigned char c : name)
        hash = (hash ^ c) * 1099511628211ull;
    return hash;
}

std::vector<at::Tensor> embedAll(const model::CausalLM& model, const at::Tensor& windows, std::int64_t batch)
{
    std::vector<at::Tensor> hidden;
    for (std::int64_t first = 0; first < windows.size(0); first += batch)
        hidden.push_back(model.embed(windows.narrow(0, first, std::min(batch, windows.size(0) - first))));
    return hidden;
}

} // namespace

bool needsCalibration(const PipelineOptions& options)
{
    const auto allocationQuantizer = makeAllocationQuantizer(options);
    return makeLayerQuantizer(options)->needsHessian() || BitPlanner(options, *allocationQuantizer).needsCalibration();
}

PipelineResult runPipeline(model::CausalLM& model, const tok::Tokenizer& tokenizer, const PipelineOptions& options,
                           const ProgressCallback& progress, const CancelToken& cancel,
                           const LayerCallback& onLayerDone, std::shared_ptr<const CalibrationStatistics> precomputed)
{
    c10::InferenceMode inferenceMode;
    options.validate();
    const auto start = std::chrono::steady_clock::now();
    const auto quantizer = makeLayerQuantizer(options);
    const auto allocationQuantizer = makeAllocationQuantizer(options);
    const auto& config = model.config();
    BitPlanner planner(options, *allocationQuantizer);

    PipelineResult result;
    result.options = options;
    const bool needsCalibration = quantizer->needsHessian() || planner.needsCalibration();
    if (precomputed && needsCalibration && !precomputed->matches(options))
        throw Error("the precomputed calibration statistics (" + precomputed->protocol.describe()
                    + ") do not match this run's calibration options");
    const bool capture = needsCalibration && !precomputed; // statistics come from this run's own passes
    CalibrationData calibration;
    if (precomputed && needsCalibration)
        result.calibration = precomputed->protocol;
    if (capture) {
        calibration = loadCalibrationData(options.calibrationText, tokenizer, options.samples, options.ctx, options.seed);
        calibration.protocol.mode = options.calibrationMode == CalibrationMode::Sequential ? "sequential" : "original";
        result.calibration = calibration.protocol;
    }

    ModelBorrow borrow(model);
    // Units: per block, one for the calibration pass and one per linear layer.
    const auto layersPerBlock = static_cast<double>(model.blockLinearNames(0).size());
    ProgressReporter reporter(progress, "quantize", double(config.numLayers) * (1.0 + layersPerBlock));
    std::vector<at::Tensor> hidden;
    if (capture)
        hidden = embedAll(model, calibration.windows, options.batchWindows);

    double bitSum = 0.0, codeBitSum = 0.0, weightCount = 0.0;
    for (std::int64_t block = 0; block < config.numLayers; ++block) {
        cancel.throwIfCancelled();
        const auto names = model.blockLinearNames(block);
        const std::string blockLabel = "block " + std::to_string(block + 1) + "/" + std::to_string(config.numLayers);

        HessianAccumulator hessians(options.klSampleRows, options.samples * options.ctx);
        if (capture) {
            model.setInputCapture([&](const std::string& name, const at::Tensor& input) { hessians.add(name, input); });
            for (auto& h : hidden) {
                cancel.throwIfCancelled();
                auto next = model.forwardBlock(block, h);
                if (options.calibrationMode == CalibrationMode::Original)
                    h = std::move(next); // the unquantized block's output feeds the next block
            }
            model.setInputCapture({});
        }
        reporter.advance(1.0, blockLabel + " calibrated");

        for (const auto& name : names) {
            cancel.throwIfCancelled();
            quant::LayerInput input;
            input.name = name;
            input.weight = model.linear(name).denseWeight();
            input.device = input.weight.device(); // GLVQ learns where the model runs (CUDA with --device cuda)
            at::Tensor klInputs;
            if (precomputed && needsCalibration) {
                input.hessian = precomputed->hessians.at(name);
                klInputs = precomputed->samples.at(name);
            } else if (capture) {
                input.hessian = hessians.hessian(name);
                klInputs = hessians.sampleInputs(name);
            }
            input.groupSize = options.groupSize;
            input.seed = layerSeed(options.seed, name);
            // One factor of H per layer, shared by the allocator's candidates and the final quantization.
            input.inverseHessianFactors = std::make_shared<quant::InverseHessianFactors>();
            LayerReport report = planner.plan(input, klInputs, cancel);
            input.groupBits = report.groupBits;
            auto layer = std::make_shared<quant::LayerResult>(quantizer->quantize(input, cancel));
            const double weights = double(layer->rows * layer->cols);
            bitSum += layer->bitsPerWeight * weights;
            for (std::size_t g = 0; g < report.groupBits.size(); ++g)
                codeBitSum += double(report.groupBits[g])
                    * double(std::min(options.groupSize, layer->cols - std::int64_t(g) * options.groupSize)) * double(layer->rows);
            weightCount += weights;
            report.result = std::move(layer);
            if (onLayerDone)
                onLayerDone(report);
            result.layers.push_back(std::move(report));
            reporter.advance(1.0, blockLabel + " " + name.substr(name.rfind('.', name.rfind('.') - 1) + 1));
        }

        if (capture && options.calibrationMode == CalibrationMode::Sequential) {
            // Later blocks see the outputs of this block as quantized.
            for (auto it = result.layers.end() - std::ptrdiff_t(names.size()); it != result.layers.end(); ++it)
                borrow.swapIn(it->result->name, std::make_shared<QuantizedLinear>(it->result, model.linear(it->result->name)));
            for (auto& h : hidden) {
                cancel.throwIfCancelled();
                h = model.forwardBlock(block, h);
            }
            borrow.restoreLayers();
        }
    }
    result.bitsPerWeight = weightCount > 0 ? bitSum / weightCount : 0.0;
    result.codeBitsPerWeight = weightCount > 0 ? codeBitSum / weightCount : 0.0;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

std::vector<std::shared_ptr<const model::LinearOp>> applyToModel(model::CausalLM& model, const PipelineResult& result)
{
    std::vector<std::shared_ptr<const model::LinearOp>> replaced;
    for (const auto& report : result.layers) {
        const auto& name = report.result->name;
        auto layer = std::make_shared<QuantizedLinear>(report.result, model.linear(name));
        replaced.push_back(model.replaceLinear(name, std::move(layer)));
    }
    return replaced;
}

} // namespace glvq::pipeline
