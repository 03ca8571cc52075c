// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/calibration_statistics.h"

#include "core/pipeline/hessian_accumulator.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

namespace glvq::pipeline {

bool CalibrationStatistics::matches(const PipelineOptions& options) const
{
    return options.calibrationMode == CalibrationMode::Original && protocol.mode == "original"
        && protocol.textName == options.calibrationText.filename().string() && protocol.samples == options.samples
        && protocol.ctx == options.ctx && protocol.seed == options.seed;
}

std::shared_ptr<const CalibrationStatistics> collectCalibrationStatistics(model::CausalLM& model,
                                                                         const tok::Tokenizer& tokenizer,
                                                                         const PipelineOptions& options,
                                                                         const ProgressCallback& progress,
                                                                         const CancelToken& cancel)
{
    c10::InferenceMode inferenceMode;
    auto data = loadCalibrationData(options.calibrationText, tokenizer, options.samples, options.ctx, options.seed);
    data.protocol.mode = "original";
    HessianAccumulator accumulator(options.klSampleRows, options.samples * options.ctx);
    struct CaptureReset {
        model::CausalLM& model;
        ~CaptureReset() { model.setInputCapture({}); }
    } reset { model };
    model.setInputCapture([&](const std::string& name, const at::Tensor& input) {
        if (name != "lm_head") // only the decoder blocks are quantized
            accumulator.add(name, input);
    });
    ProgressReporter reporter(progress, "calibrate", double(options.samples));
    for (std::int64_t first = 0; first < options.samples; first += options.batchWindows) {
        cancel.throwIfCancelled();
        const auto count = std::min(options.batchWindows, options.samples - first);
        model.forward(data.windows.narrow(0, first, count));
        reporter.advance(double(count), "window " + std::to_string(first + count) + "/" + std::to_string(options.samples));
    }

    auto statistics = std::make_shared<CalibrationStatistics>();
    statistics->protocol = data.protocol;
    for (const auto& name : model.blockLinearNames()) {
        statistics->hessians[name] = accumulator.hessian(name);
        statistics->samples[name] = accumulator.sampleInputs(name);
    }
    return statistics;
}

} // namespace glvq::pipeline
