// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/inspect/studio_internal.h"

#include "core/eval/perplexity.h"
#include "core/inspect/generator_analysis.h"
#include "core/quant/e8_quantizer.h"
#include "core/quant/glvq_codes.h"
#include "core/quant/scalar_codes.h"
#include "core/util/error.h"
#include "core/util/text_file.h"

#include <ATen/ATen.h>
#include <hdf5.h>
#include <nlohmann/json.hpp>

#include <cstdio>

namespace glvq::inspect {

namespace {

std::vector<TensorSummary> linearsOf(const model::CausalLM& model)
{
    std::vector<TensorSummary> linears;
    for (const auto& name : model.blockLinearNames()) {
        const auto& op = model.linear(name);
        linears.push_back({ name, op.outFeatures(), op.inFeatures() });
    }
    return linears;
}

LayerSummary summarizeResult(const pipeline::LayerReport& report)
{
    const auto& layer = *report.result;
    LayerSummary summary = summarizeCodes(layer.name, *layer.codes);
    summary.method = layer.method;
    summary.weightMse = layer.weightMse;
    summary.outputRelativeError = layer.outputRelativeError;
    summary.bitsPerWeight = layer.bitsPerWeight;
    summary.seconds = layer.seconds;
    summary.groups.resize(layer.groups.size());
    for (std::size_t g = 0; g < layer.groups.size(); ++g) {
        const auto& stats = layer.groups[g];
        summary.groups[g] = { stats.bits, stats.scale, stats.mu, stats.conditionNumber, stats.weightMse,
                              stats.proxyLoss, g < report.salience.size() ? report.salience[g] : -1.0,
                              stats.iterations };
    }
    return summary;
}

std::vector<EvalSummary> evaluationsOf(const pipeline::ExportedModel& model)
{
    std::vector<EvalSummary> out;
    const auto& r = model.results;
    if (!r.is_object() || !r.contains("ppl_quantized"))
        return out;
    EvalSummary e;
    e.method = model.metadata.value("method", std::string());
    e.targetBits = model.metadata.value("target_bits", 0.0);
    e.bitsPerWeight = model.metadata.value("bits_per_weight", 0.0);
    e.pplOriginal = r.value("ppl_original", 0.0);
    e.pplQuantized = r.value("ppl_quantized", 0.0);
    e.kl = r.value("kl", 0.0);
    e.protocol = r.value("protocol", std::string("protocol not stored"));
    out.push_back(e);
    return out;
}

} // namespace

void clearHdf5ErrorStack() { H5Eclear2(H5E_DEFAULT); }

LayerSummary summarizeCodes(const std::string& name, const quant::LayerCodes& codes)
{
    LayerSummary summary;
    summary.name = name;
    summary.method = codes.method();
    summary.bitsPerWeight = codes.bitsPerWeight();
    if (const auto* glvq = dynamic_cast<const quant::GlvqLayerCodes*>(&codes)) {
        summary.rows = glvq->rows();
        summary.cols = glvq->cols();
        summary.groupSize = glvq->groupSize();
        summary.dim = glvq->dim();
        for (const auto& group : glvq->groups()) {
            GroupSummary g;
            g.bits = group.bits;
            g.scale = group.scale;
            g.mu = group.mu;
            g.conditionNumber = analyzeGenerator(std::vector<double>(group.generator.begin(), group.generator.end()),
                                                 glvq->dim())
                                    .conditionNumber;
            summary.groups.push_back(g);
        }
    } else if (const auto* scalar = dynamic_cast<const quant::ScalarLayerCodes*>(&codes)) {
        summary.rows = scalar->rows();
        summary.cols = scalar->cols();
        summary.groupSize = scalar->groupSize();
        for (int bits : scalar->groupBits())
            summary.groups.push_back({ bits, 0.0, 0.0, 1.0, 0.0, 0.0, -1.0, 0 });
    } else if (const auto* e8 = dynamic_cast<const quant::E8LayerCodes*>(&codes)) {
        summary.rows = e8->rows();
        summary.cols = e8->cols();
        summary.groupSize = e8->groupSize();
        summary.dim = 8;
        for (std::size_t g = 0; g < e8->groupBits().size(); ++g)
            summary.groups.push_back({ e8->groupBits()[g], g < e8->scales().size() ? double(e8->scales()[g]) : 0.0,
                                       0.0, 1.0, 0.0, 0.0, -1.0, 0 });
    }
    return summary;
}

OpenResult openModel(const std::filesystem::path& path, const std::string& device, const ProgressCallback& progress,
                     const CancelToken& cancel)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw Error(path.string() + ": no such file or directory");
    OpenResult out;
    out.summary.path = path;
    if (std::filesystem::is_regular_file(path, ec)) {
        auto quantized = std::make_shared<QuantizedModel>();
        try {
            quantized->imported = pipeline::importModel(path);
        } catch (...) {
            clearHdf5ErrorStack();
            throw;
        }
        const auto& imported = *quantized->imported;
        for (const auto& layer : imported.layers) {
            cancel.throwIfCancelled();
            auto handle = std::make_shared<QuantizedLayer>();
            handle->summary = summarizeCodes(layer.name, *layer.codes);
            handle->summary.weightMse = layer.weightMse;
            handle->summary.outputRelativeError = layer.outputRelativeError;
            handle->codes = layer.codes;
            handle->decoded = layer.codes->decode();
            quantized->layers.push_back({ handle->summary, handle });
            out.summary.linears.push_back({ layer.name, handle->summary.rows, handle->summary.cols });
        }
        out.summary.isExport = true;
        out.summary.device = "none (codes only)";
        out.summary.description = "exported " + imported.metadata.value("method", std::string("?")) + " model of "
            + imported.metadata.value("source_model", std::string("?")) + ", "
            + std::to_string(imported.layers.size()) + " quantized layers";
        out.layers = quantized->layers;
        out.evaluations = evaluationsOf(imported);
        out.quantized = quantized;
        return out;
    }
    auto session = std::make_shared<ModelSession>();
    session->directory = path;
    session->tokenizerPath = path / "tokenizer.json";
    if (!std::filesystem::is_regular_file(session->tokenizerPath, ec))
        throw Error(path.string() + ": no tokenizer.json in this directory");
    session->tokenizer.emplace(tok::Tokenizer::fromFile(session->tokenizerPath));
    session->model = model::loadCausalLM(path, model::parseComputeDevice(device), progress, cancel);
    for (const auto& name : session->model->blockLinearNames())
        session->originalWeights.emplace(name, session->model->linear(name).denseWeight().to(at::kCPU));
    out.summary.description = session->model->config().summary();
    out.summary.device = model::computeDeviceName(session->model->device());
    out.summary.parameters = session->model->parameterCount();
    out.summary.linears = linearsOf(*session->model);
    out.session = session;
    return out;
}

std::shared_ptr<const QuantizedModel> quantizeModel(ModelSession& session, const pipeline::PipelineOptions& options,
                                                    const ProgressCallback& progress, const CancelToken& cancel,
                                                    const std::function<void(const LayerOutcome&)>& onLayer)
{
    auto out = std::make_shared<QuantizedModel>();
    out->sourceDirectory = session.directory;
    auto result = pipeline::runPipeline(*session.model, *session.tokenizer, options, progress, cancel,
                                        [&](const pipeline::LayerReport& report) {
                                            auto handle = std::make_shared<QuantizedLayer>();
                                            handle->summary = summarizeResult(report);
                                            handle->codes = report.result->codes;
                                            handle->result = report.result;
                                            handle->decoded = report.result->decoded;
                                            out->layers.push_back({ handle->summary, handle });
                                            if (onLayer)
                                                onLayer(out->layers.back());
                                        });
    out->pipelineResult = std::move(result);
    return out;
}

std::vector<LayerOutcome> layersOf(const QuantizedModel& model) { return model.layers; }

pipeline::PipelineOptions optionsOf(const QuantizedModel& model)
{
    if (model.pipelineResult)
        return model.pipelineResult->options;
    pipeline::PipelineOptions options;
    if (model.imported) {
        const auto& m = model.imported->metadata;
        options.method = m.value("method", options.method);
        options.variant = m.value("variant", options.variant);
        options.bits = m.value("target_bits", options.bits);
        options.dim = int(m.value("dim", std::int64_t(options.dim)));
        options.groupSize = m.value("group_size", options.groupSize);
        options.rowScaleMantissaBits = int(m.value("row_scale_bits", std::int64_t(options.rowScaleMantissaBits)));
    }
    return options;
}

double bitsPerWeightOf(const QuantizedModel& model)
{
    if (model.pipelineResult)
        return model.pipelineResult->bitsPerWeight;
    return model.imported ? model.imported->metadata.value("bits_per_weight", 0.0) : 0.0;
}

EvalSummary evaluateQuantized(const ModelSession& session, const QuantizedModel& model,
                              const std::filesystem::path& textPath, std::int64_t ctx, std::int64_t maxWindows,
                              const ProgressCallback& progress, const CancelToken& cancel)
{
    if (!model.pipelineResult)
        throw Error("evaluation needs a quantization run of the open checkpoint");
    const auto text = readTextFile(textPath);
    auto candidate = model::loadCausalLM(session.directory, session.model->device(), {}, cancel);
    pipeline::applyToModel(*candidate, *model.pipelineResult);
    const auto ids = session.tokenizer->encode(text);
    const auto identity = eval::identifyText(textPath, text);
    eval::EvalProtocol protocol;
    protocol.model = session.directory.filename().string();
    protocol.textName = identity.name;
    protocol.textSha256 = identity.sha256;
    protocol.tokenizer = session.tokenizer->description() + " (" + session.tokenizerPath.filename().string() + ")";
    eval::EvalOptions evalOptions;
    evalOptions.ctx = ctx;
    evalOptions.maxWindows = maxWindows;
    const auto kl = eval::evaluateKl(*session.model, *candidate, ids, evalOptions, protocol, progress, cancel);
    EvalSummary out;
    out.method = model.pipelineResult->options.method;
    out.targetBits = model.pipelineResult->options.bits;
    out.bitsPerWeight = model.pipelineResult->bitsPerWeight;
    out.pplOriginal = kl.reference.perplexity;
    out.pplQuantized = kl.candidate.perplexity;
    out.kl = kl.meanKl;
    out.tokensPerSecond = kl.candidate.tokensPerSecond;
    out.protocol = kl.protocol.describe();
    return out;
}

std::string protocolOf(const QuantizedModel& model)
{
    const auto o = optionsOf(model);
    char head[160];
    std::snprintf(head, sizeof head, "%s %.3g bits, d %d, group %lld", o.method.c_str(), o.bits, o.dim,
                  static_cast<long long>(o.groupSize));
    std::string calibration;
    if (model.pipelineResult)
        calibration = model.pipelineResult->calibration.describe();
    else if (model.imported)
        calibration = model.imported->metadata.value("calibration_text", std::string("?")) + ", "
            + std::to_string(model.imported->metadata.value("calibration_samples", std::int64_t(0))) + " x "
            + std::to_string(model.imported->metadata.value("calibration_ctx", std::int64_t(0))) + " tokens";
    return std::string(head) + (calibration.empty() ? std::string() : ", calibration " + calibration);
}

std::filesystem::path modelDirectoryOf(const ModelSession& session) { return session.directory; }

bool cudaAvailable() { return model::torchCudaAvailable(); }

} // namespace glvq::inspect
