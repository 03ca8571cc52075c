// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/runnable_model.h"

#include "app/cli/model_paths.h"
#include "core/util/error.h"

#include <map>

namespace glvq::cli {

RunnableModel openRunnableModel(const std::filesystem::path& path, model::ComputeDevice device,
                                pipeline::QuantizedKernels kernels, bool withTokenizer,
                                const ProgressCallback& progress, const CancelToken& cancel)
{
    RunnableModel runnable;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        runnable.name = path.filename().string();
        if (withTokenizer) {
            const auto tokenizerPath = tokenizerJsonFor(path);
            runnable.tokenizer = tok::Tokenizer::fromFile(tokenizerPath);
            runnable.tokenizerName = tokenizerPath.filename().string();
        }
        runnable.model = model::loadCausalLM(path, device, progress, cancel);
        return runnable;
    }
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error(path.string() + ": no such file or directory");
    runnable.name = path.filename().string();
    const auto exported = pipeline::importModel(path);
    runnable.exportedMetadata = exported.metadata;
    if (withTokenizer) {
        const auto json = exported.files.find("tokenizer.json");
        if (json == exported.files.end())
            throw Error(path.string() + ": the file carries no tokenizer.json");
        runnable.tokenizer = tok::Tokenizer::fromJson(json->second, path.string() + ": tokenizer.json");
        runnable.tokenizerName = "tokenizer.json";
    }
    runnable.model = pipeline::loadExportedCausalLM(exported, path.string(), device, kernels, progress, cancel);
    return runnable;
}

std::string describeLinears(const model::CausalLM& model)
{
    std::map<std::string, int> kinds;
    for (const auto& name : model.blockLinearNames())
        ++kinds[model.linear(name).kind()];
    ++kinds[model.linear("lm_head").kind() + " (lm_head)"];
    std::string text;
    for (const auto& [kind, count] : kinds)
        text += (text.empty() ? "" : "; ") + std::to_string(count) + " × " + kind;
    return text;
}

} // namespace glvq::cli
