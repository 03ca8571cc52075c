// SPDX-License-Identifier: GPL-3.0-or-later
#include "tools/trainer/trainer_options.h"

#include "app/cli/cli_args.h"

#include <cmath>
#include <iostream>

namespace glvq::trainer {
namespace {

const cli::CommandSpec& spec()
{
    static const cli::CommandSpec trainSpec {
        "train",
        "--config CONFIG.json --tokens TRAIN.u16 --out DIR (--steps N | --time-budget SECONDS) [options]",
        "Trains a Llama-architecture model from scratch (AdamW, warm-up + cosine) and saves it in HF layout.",
        {},
        {
            { "config", "FILE", "Hugging Face config.json of the model to build (llama)" },
            { "tokens", "FILE", "training tokens, flat little-endian uint16" },
            { "eval-tokens", "FILE", "held-out tokens; their loss is reported at each save" },
            { "out", "DIR", "checkpoint directory (model.safetensors bf16, config.json, trainer_state.json)" },
            { "device", "cpu|cuda", "where to train (default cpu)" },
            { "batch", "N", "sequences per step (default 16)" },
            { "seq-len", "N", "tokens per sequence (default 256)" },
            { "steps", "N", "number of optimizer steps" },
            { "time-budget", "SECONDS", "train for about this long: steps are fixed after a 30-step timing probe" },
            { "warmup", "N", "linear warm-up steps (default 100)" },
            { "lr", "X", "peak learning rate (default 2e-3)" },
            { "min-lr-ratio", "X", "final learning rate as a fraction of the peak (default 0.1)" },
            { "weight-decay", "X", "AdamW weight decay on matrices (default 0.1)" },
            { "grad-clip", "X", "gradient norm clip (default 1.0; 0 disables)" },
            { "seed", "N", "seed for initialisation and batch sampling (default 1234)" },
            { "log-every", "N", "steps between progress lines (default 20)" },
            { "save-every", "N", "steps between checkpoints (default 500)" },
            { "threads", "N", "CPU threads for torch (default: torch's choice)" },
        },
        { "config", "tokens", "out" },
    };
    return trainSpec;
}

double real(const cli::ParsedArgs& args, const std::string& name, double fallback, double min, double max)
{
    if (!args.has(name))
        return fallback;
    const auto text = args.value(name);
    std::size_t used = 0;
    double value = std::nan("");
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || !(value >= min && value <= max))
        throw cli::UsageError("glvq train: --" + name + " must be a number in [" + std::to_string(min) + ", "
                              + std::to_string(max) + "], got '" + text + "'");
    return value;
}

} // namespace

bool parseTrainerOptions(const std::vector<std::string>& argv, TrainerOptions& o)
{
    const auto args = cli::parseArgs(spec(), argv);
    if (args.helpRequested) {
        std::cout << cli::helpText(spec());
        return false;
    }
    o.configJson = args.value("config");
    o.tokens = args.value("tokens");
    o.evalTokens = args.value("eval-tokens");
    o.outDir = args.value("out");
    o.device = args.value("device", "cpu");
    o.batch = args.integer("batch", o.batch, 1, 4096);
    o.seqLen = args.integer("seq-len", o.seqLen, 2, 65536);
    o.steps = args.integer("steps", 0, 1, 100000000);
    o.timeBudgetSeconds = real(args, "time-budget", 0.0, 1.0, 1e7);
    if ((o.steps > 0) == (o.timeBudgetSeconds > 0.0))
        throw cli::UsageError("glvq train: give exactly one of --steps and --time-budget");
    o.warmupSteps = args.integer("warmup", o.warmupSteps, 0, 100000000);
    o.lr = real(args, "lr", o.lr, 1e-7, 1.0);
    o.minLrRatio = real(args, "min-lr-ratio", o.minLrRatio, 0.0, 1.0);
    o.weightDecay = real(args, "weight-decay", o.weightDecay, 0.0, 10.0);
    o.gradClip = real(args, "grad-clip", o.gradClip, 0.0, 1e6);
    o.seed = args.integer("seed", o.seed, 0, INT64_MAX);
    o.logEvery = args.integer("log-every", o.logEvery, 1, 100000000);
    o.saveEvery = args.integer("save-every", o.saveEvery, 1, 100000000);
    o.threads = args.integer("threads", 0, 0, 1024);
    return true;
}

nlohmann::json TrainerOptions::toJson() const
{
    return { { "config", configJson.string() }, { "tokens", tokens.string() },
             { "eval_tokens", evalTokens.string() }, { "device", device }, { "batch", batch },
             { "seq_len", seqLen }, { "steps", steps }, { "time_budget_s", timeBudgetSeconds },
             { "warmup_steps", warmupSteps }, { "lr", lr }, { "min_lr_ratio", minLrRatio },
             { "weight_decay", weightDecay }, { "grad_clip", gradClip }, { "seed", seed } };
}

} // namespace glvq::trainer
