// SPDX-License-Identifier: GPL-3.0-or-later
// glvq eval MODEL --text FILE --ctx N: perplexity under the fixtures' protocol, and with --reference the
// KL divergence of the reference model's next-token distribution from this one's. MODEL is a checkpoint
// directory or an exported .h5 file, whose GLVQ layers run through the fused kernels (or decoded, --kernels).
#include "app/cli/commands.h"
#include "app/cli/model_paths.h"
#include "app/cli/progress_line.h"
#include "app/cli/runnable_model.h"
#include "core/eval/perplexity.h"
#include "core/tokenizer/tokenizer.h"
#include "core/util/text_file.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace glvq::cli {

namespace {

void printPerplexity(const char* label, const eval::PerplexityResult& result)
{
    std::printf("%-10s PPL %.4f  mean NLL %.6f\n", label, result.perplexity, result.meanNll);
}

} // namespace

const CommandSpec& evalSpec()
{
    static const CommandSpec spec {
        "eval",
        "MODEL --text FILE --ctx N [--device cpu|cuda] [--kernels auto|fused|decoded] [--reference MODEL] [--json]",
        "Perplexity of a model on a text file: the whole file tokenized, non-overlapping windows of N tokens, "
        "positions 1..N-1 scored, PPL = exp(mean NLL). MODEL is a checkpoint directory or an exported .h5 file.",
        { "MODEL" },
        {
            { "text", "FILE", "evaluation text (UTF-8)" },
            { "ctx", "N", "window length in tokens" },
            { "device", "DEV", "cpu (default) or cuda" },
            { "kernels", "K", "for an .h5: auto (default: fused on CUDA; on the CPU fused for layers without companding, and for "
                             "companded ones only when their fp32 weights would not fit in memory), fused or decoded" },
            { "reference", "MODEL", "also report KL(reference || model) on the same windows" },
            { "max-windows", "N", "evaluate only the first N windows" },
            { "batch", "N", "windows per forward pass (default: from a 64 MiB logits budget)" },
            { "json", "", "print machine-readable JSON on stdout" },
            { "quiet", "", "no progress on stderr" },
        },
        { "text", "ctx" },
    };
    return spec;
}

int runEval(const ParsedArgs& args, const CancelToken& cancel)
{
    const std::filesystem::path modelPath = args.positional[0];
    const std::filesystem::path textPath = args.value("text");
    eval::EvalOptions options;
    options.ctx = args.integer("ctx", 0, 2, 1 << 20);
    options.maxWindows = args.integer("max-windows", 0, 1, 1ll << 40);
    options.batchWindows = args.integer("batch", 0, 1, 4096);
    const auto device = model::parseComputeDevice(args.value("device", "cpu"));
    const auto kernels = pipeline::parseQuantizedKernels(args.value("kernels", "auto"));
    const auto text = readTextFile(textPath);

    ProgressLine progress(args.has("quiet"));
    const auto runnable = openRunnableModel(modelPath, device, kernels, true, progress.callback(), cancel);
    const auto& tokenizer = *runnable.tokenizer;
    const auto ids = tokenizer.encode(text);
    const auto protocol = evalProtocolFor(runnable.name, textPath, text, tokenizer, runnable.tokenizerName);
    const auto& model = runnable.model;
    const auto layers = describeLinears(*model);
    nlohmann::json output;
    if (args.has("reference")) {
        const auto reference
            = openRunnableModel(args.value("reference"), device, kernels, false, progress.callback(), cancel).model;
        const auto result = eval::evaluateKl(*reference, *model, ids, options, protocol, progress.callback(), cancel);
        output = eval::toJson(result);
        if (!args.has("json")) {
            std::printf("protocol   %s\n", result.protocol.describe().c_str());
            std::printf("layers     %s\n", layers.c_str());
            printPerplexity("model", result.candidate);
            printPerplexity("reference", result.reference);
            std::printf("KL         %.6f nats per token, KL(reference || model)\n", result.meanKl);
            std::printf("time       %.1f s\n", result.candidate.seconds);
        }
    } else {
        const auto result = eval::evaluatePerplexity(*model, ids, options, protocol, progress.callback(), cancel);
        output = eval::toJson(result);
        if (!args.has("json")) {
            std::printf("protocol   %s\n", result.protocol.describe().c_str());
            std::printf("layers     %s\n", layers.c_str());
            printPerplexity("model", result);
            std::printf("time       %.1f s (%.0f tokens/s)\n", result.seconds, result.tokensPerSecond);
        }
    }
    output["layers"] = layers;
    if (args.has("json"))
        std::printf("%s\n", output.dump(2).c_str());
    return 0;
}

} // namespace glvq::cli
