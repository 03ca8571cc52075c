// SPDX-License-Identifier: GPL-3.0-or-later
// glvq export IN.h5 --out OUT.h5: validated re-export (e.g. other compression, or a file from an older build
// rewritten by this one); glvq dequantize IN.h5 --out DIR: a plain Hugging Face model directory.
// `glvq quantize --out` is the primary export path: it has the PipelineResult and the source checkpoint.
#include "app/cli/commands.h"
#include "app/cli/progress_line.h"
#include "core/pipeline/export_model.h"

#include <cstdio>
#include <optional>

namespace glvq::cli {

const CommandSpec& exportSpec()
{
    static const CommandSpec spec {
        "export",
        "IN.h5 --out OUT.h5 [--force] [--gzip N]",
        "Re-export a quantized-model HDF5 file after full validation (quantize --out writes the first one).",
        { "IN.h5" },
        {
            { "out", "FILE", "output HDF5 file" },
            { "force", "", "replace an existing output file" },
            { "gzip", "N", "gzip level 0..9 for side information and full-precision tensors (default 4)" },
            { "quiet", "", "no progress on stderr" },
        },
        { "out" },
    };
    return spec;
}

int runExport(const ParsedArgs& args, const CancelToken& cancel)
{
    const std::filesystem::path in = args.positional[0];
    const std::filesystem::path out = args.value("out");
    if (std::filesystem::exists(out) && std::filesystem::equivalent(in, out))
        throw UsageError("glvq export: --out must differ from the input file");
    const auto model = pipeline::importModel(in);
    pipeline::ExportOptions options;
    options.force = args.has("force");
    options.gzipLevel = int(args.integer("gzip", 4, 0, 9));
    std::optional<pipeline::FileComposition> composition;
    {
        ProgressLine progress(args.has("quiet"));
        composition = pipeline::writeExport(model, out, options, cancel, progress.callback());
    } // the progress line ends before the summary prints
    std::printf("exported %s: %llu bytes, %.4f bits per quantized weight (codes %.4f, side %.4f)\n", out.string().c_str(),
                static_cast<unsigned long long>(composition->fileBytes), composition->fileBitsPerQuantizedWeight(),
                composition->codeBitsPerWeight(), composition->sideBitsPerWeight());
    return 0;
}

const CommandSpec& dequantizeSpec()
{
    static const CommandSpec spec {
        "dequantize",
        "IN.h5 --out DIR [--dtype bf16|fp16|fp32] [--force]",
        "Decode every quantized layer of an exported file into a Hugging Face model directory glvq eval loads.",
        { "IN.h5" },
        {
            { "out", "DIR", "output directory (config.json, model.safetensors, tokenizer files)" },
            { "dtype", "T", "bf16 (default), fp16 or fp32 (fp32 reproduces the quantized model exactly)" },
            { "force", "", "write into an existing non-empty directory" },
            { "quiet", "", "no progress on stderr" },
        },
        { "out" },
    };
    return spec;
}

int runDequantize(const ParsedArgs& args, const CancelToken& cancel)
{
    const auto dtypeArg = args.value("dtype", "bf16");
    const std::string dtype = dtypeArg == "bf16" ? "BF16" : dtypeArg == "fp16" ? "F16" : dtypeArg == "fp32" ? "F32" : "";
    if (dtype.empty())
        throw UsageError("glvq dequantize: --dtype must be bf16, fp16 or fp32, got '" + dtypeArg + "'");
    const auto model = pipeline::importModel(args.positional[0]);
    {
        ProgressLine progress(args.has("quiet"));
        pipeline::writeDequantized(model, args.value("out"), dtype, args.has("force"), cancel, progress.callback());
    }
    std::printf("wrote %s (%zu quantized layers decoded, %zu tensors as stored, %s)\n", args.value("out").c_str(),
                model.layers.size(), model.tensors.size(), dtypeArg.c_str());
    return 0;
}

} // namespace glvq::cli
