// SPDX-License-Identifier: GPL-3.0-or-later
// glvq quantize MODEL_DIR --calib FILE --method M --bits B ...: calibrate, allocate bits, quantize every linear
// layer of the decoder blocks, then compare the quantized model with the original on an evaluation text.
#include "app/cli/commands.h"
#include "app/cli/model_paths.h"
#include "app/cli/progress_line.h"
#include "core/eval/perplexity.h"
#include "core/pipeline/calibration_cache.h"
#include "core/pipeline/export_model.h"
#include "core/pipeline/quantization_pipeline.h"
#include "core/util/error.h"
#include "core/util/text_file.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <cstdio>

namespace glvq::cli {

namespace {

pipeline::PipelineOptions parseOptions(const ParsedArgs& args)
{
    pipeline::PipelineOptions options;
    options.method = args.value("method", "glvq");
    options.variant = args.value("variant", "default");
    const auto bitsText = args.value("bits", "2");
    try {
        std::size_t used = 0;
        options.bits = std::stod(bitsText, &used);
        if (used != bitsText.size())
            throw std::invalid_argument(bitsText);
    } catch (const std::exception&) {
        throw UsageError("glvq quantize: --bits expects a number, got '" + bitsText + "'");
    }
    options.dim = int(args.integer("dim", 8, 1, 64));
    options.groupSize = args.integer("group", 128, 1, 1 << 20);
    const auto alloc = args.value("alloc", "salience");
    if (alloc != "salience" && alloc != "uniform")
        throw UsageError("glvq quantize: --alloc must be salience or uniform, got '" + alloc + "'");
    options.allocation = alloc == "uniform" ? pipeline::BitAllocation::Uniform : pipeline::BitAllocation::Salience;
    const auto objective = args.value("alloc-objective", "proxy");
    if (objective != "kl" && objective != "proxy")
        throw UsageError("glvq quantize: --alloc-objective must be kl or proxy, got '" + objective + "'");
    options.allocateByProxyLoss = objective == "proxy";
    options.calibrationText = args.value("calib");
    options.samples = args.integer("samples", 128, 1, 1 << 20);
    options.ctx = args.integer("ctx", 512, 2, 1 << 20);
    const auto mode = args.value("calib-mode", "original");
    if (mode != "original" && mode != "sequential")
        throw UsageError("glvq quantize: --calib-mode must be original or sequential, got '" + mode + "'");
    options.calibrationMode
        = mode == "sequential" ? pipeline::CalibrationMode::Sequential : pipeline::CalibrationMode::Original;
    options.seed = std::uint64_t(args.integer("seed", 0, 0, std::numeric_limits<std::int64_t>::max()));
    options.actOrder = args.has("act-order");
    options.maxIterations = int(args.integer("iterations", 0, 0, 100000));
    options.rowScaleMantissaBits = int(args.integer("row-scale-bits", 10, 0, 10));
    options.validate();
    return options;
}

void printLayer(const pipeline::LayerReport& report)
{
    const auto& layer = *report.result;
    std::string bits;
    for (int b : report.groupBits)
        bits += std::to_string(b);
    std::fprintf(stderr, "  %-34s %5lldx%-5lld bits %-10s %.3f b/w  w-mse %.3e  out-err %s  %.1f s\n",
                 layer.name.c_str(), static_cast<long long>(layer.rows), static_cast<long long>(layer.cols), bits.c_str(),
                 layer.bitsPerWeight, layer.weightMse, formatMeasured(layer.outputRelativeError).c_str(), layer.seconds);
}

nlohmann::json layerJson(const pipeline::LayerReport& report)
{
    const auto& layer = *report.result;
    return { { "name", layer.name }, { "method", layer.method }, { "rows", layer.rows }, { "cols", layer.cols },
             { "group_bits", report.groupBits }, { "bits_per_weight", layer.bitsPerWeight },
             { "side_bits_per_weight", layer.codes ? layer.codes->sideBitsPerWeight() : 0.0 },
             { "weight_mse", layer.weightMse }, { "output_relative_error", layer.outputRelativeError },
             { "seconds", layer.seconds }, { "salience", report.salience }, { "objective_by_split", report.objectiveByP } };
}

} // namespace

const CommandSpec& quantizeSpec()
{
    static const CommandSpec spec {
        "quantize",
        "MODEL_DIR --calib FILE --method glvq|rtn|gptq|e8 --bits B --eval-text FILE [options]",
        "Quantize every linear layer of the decoder blocks, then report original vs quantized perplexity, KL and "
        "bits per weight including side information.",
        { "MODEL_DIR" },
        {
            { "calib", "FILE", "calibration text (required except for uniform RTN)" },
            { "method", "M", "glvq (default), rtn, gptq or e8" },
            { "variant", "V", "GLVQ ablation: default, no-companding, no-row-scale, no-feedback, no-learning, "
                              "shared-lattice, paper, no-subvector-feedback" },
            { "bits", "B", "mean bits per weight, 1..4; fractions such as 2.5 mix two widths (default 2)" },
            { "dim", "D", "GLVQ lattice dimension: 2, 4, 8 (default), 16 or 32; must divide the group" },
            { "group", "N", "input columns per group (default 128)" },
            { "alloc", "A", "salience (default) or uniform bit allocation" },
            { "alloc-objective", "O", "how salience splits are compared: proxy (tr(E H Eᵀ), default) or kl (output KL)" },
            { "samples", "N", "calibration windows (default 128)" },
            { "ctx", "N", "tokens per calibration window (default 512)" },
            { "calib-mode", "M", "original (default: Hessians of the unquantized model) or sequential" },
            { "seed", "S", "seed for calibration windows and every random choice (default 0)" },
            { "hessian-cache", "DIR", "keep calibration statistics in DIR and reuse them when the checkpoint and the "
                                      "calibration protocol match (original calib-mode)" },
            { "iterations", "N", "GLVQ learning iterations per group (default: 300 for d ≤ 8, 500 above)" },
            { "act-order", "", "GPTQ: quantize columns in order of descending Hessian diagonal" },
            { "row-scale-bits", "N", "GLVQ: round row scales to N fp16 mantissa bits, 0..10 (default 10; 3 makes the "
                                     "file's side information a third smaller, PPL within noise: docs/benchmarks.md)" },
            { "device", "DEV", "cpu (default) or cuda" },
            { "eval-text", "FILE", "evaluation text for perplexity and KL" },
            { "eval-ctx", "N", "evaluation window length (default 512)" },
            { "eval-max-windows", "N", "evaluate only the first N windows" },
            { "out", "FILE.h5", "export the quantized model to this HDF5 file (docs/FORMAT.md)" },
            { "force", "", "with --out: replace an existing file" },
            { "json", "", "print machine-readable JSON on stdout" },
            { "quiet", "", "no progress on stderr" },
        },
        { "eval-text" },
    };
    return spec;
}

int runQuantize(const ParsedArgs& args, const CancelToken& cancel)
{
    const std::filesystem::path modelDir = args.positional[0];
    const auto options = parseOptions(args);
    const std::filesystem::path outPath = args.value("out");
    // Refuse before hours of work, not after; export checks again when it renames into place.
    if (!outPath.empty() && std::filesystem::exists(outPath) && !args.has("force"))
        throw Error(outPath.string() + ": file exists (use --force to replace it)");
    const auto device = model::parseComputeDevice(args.value("device", "cpu"));
    const std::filesystem::path evalPath = args.value("eval-text");
    const auto evalText = readTextFile(evalPath);
    eval::EvalOptions evalOptions;
    evalOptions.ctx = args.integer("eval-ctx", 512, 2, 1 << 20);
    evalOptions.maxWindows = args.integer("eval-max-windows", 0, 1, 1ll << 40);

    const auto tokenizerPath = tokenizerJsonFor(modelDir);
    const auto tokenizer = tok::Tokenizer::fromFile(tokenizerPath);
    ProgressLine progress(args.has("quiet"));
    auto model = model::loadCausalLM(modelDir, device, progress.callback(), cancel);
    const auto reference = model::loadCausalLM(modelDir, device, {}, cancel);

    const bool quiet = args.has("quiet");
    std::shared_ptr<const pipeline::CalibrationStatistics> precomputed;
    if (args.has("hessian-cache") && pipeline::needsCalibration(options)) {
        const auto cached = pipeline::cachedCalibrationStatistics(*model, tokenizer, options, modelDir,
                                                                  args.value("hessian-cache"), progress.callback(), cancel);
        precomputed = cached.statistics;
        if (!quiet)
            std::fprintf(stderr, "calibration %s %s\n", cached.fromCache ? "read from" : "stored in",
                         cached.file.string().c_str());
    }
    const auto result = pipeline::runPipeline(*model, tokenizer, options, progress.callback(), cancel,
                                              [&](const pipeline::LayerReport& report) {
                                                  if (!quiet)
                                                      printLayer(report);
                                              },
                                              precomputed);
    pipeline::applyToModel(*model, result);

    const auto ids = tokenizer.encode(evalText);
    const auto protocol = evalProtocolFor(modelDir.filename().string(), evalPath, evalText, tokenizer,
                                          tokenizerPath.filename().string());
    const auto kl = eval::evaluateKl(*reference, *model, ids, evalOptions, protocol, progress.callback(), cancel);

    pipeline::FileComposition exported;
    if (!outPath.empty()) {
        const nlohmann::json results = { { "ppl_original", kl.reference.perplexity },
                                         { "ppl_quantized", kl.candidate.perplexity }, { "kl", kl.meanKl },
                                         { "protocol", kl.protocol.describe() },
                                         { "bits_per_weight", result.bitsPerWeight },
                                         { "evaluation", eval::toJson(kl) } };
        const auto content = pipeline::collectExport(result, modelDir, results, cancel);
        exported = pipeline::writeExport(content, outPath, { args.has("force") }, cancel, progress.callback());
    }
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& report : result.layers)
        layers.push_back(layerJson(report));
    const nlohmann::json output = {
        { "method", options.method }, { "variant", options.variant }, { "target_bits", options.bits },
        { "dim", options.dim }, { "group_size", options.groupSize },
        { "allocation", options.allocation == pipeline::BitAllocation::Salience ? "salience" : "uniform" },
        { "calibration", result.calibration.describe() }, { "seed", options.seed },
        { "bits_per_weight", result.bitsPerWeight }, { "code_bits_per_weight", result.codeBitsPerWeight },
        { "quantize_seconds", result.seconds }, { "evaluation", eval::toJson(kl) }, { "layers", layers },
    };
    if (!outPath.empty())
        std::fprintf(stderr, "exported    %s: %llu bytes, %.4f bits per quantized weight (codes %.4f, side %.4f)\n",
                     outPath.string().c_str(), static_cast<unsigned long long>(exported.fileBytes),
                     exported.fileBitsPerQuantizedWeight(), exported.codeBitsPerWeight(), exported.sideBitsPerWeight());
    if (args.has("json")) {
        std::printf("%s\n", output.dump(2).c_str());
        return 0;
    }
    std::printf("method      %s (%s), target %.3g bits, d %d, group %lld, %s allocation\n", options.method.c_str(),
                options.variant.c_str(), options.bits, options.dim, static_cast<long long>(options.groupSize),
                output["allocation"].get<std::string>().c_str());
    if (!result.calibration.textName.empty())
        std::printf("calibration %s\n", result.calibration.describe().c_str());
    std::printf("bits/weight %.4f with side information (codes %.4f) over the quantized layers\n", result.bitsPerWeight,
                result.codeBitsPerWeight);
    std::printf("quantized   in %.1f s\n", result.seconds);
    std::printf("protocol    %s\n", kl.protocol.describe().c_str());
    std::printf("original    PPL %.4f\n", kl.reference.perplexity);
    std::printf("quantized   PPL %.4f  (%+.2f %%)\n", kl.candidate.perplexity,
                100.0 * (kl.candidate.perplexity / kl.reference.perplexity - 1.0));
    std::printf("KL          %.5f nats per token, KL(original || quantized)\n", kl.meanKl);
    return 0;
}

} // namespace glvq::cli
