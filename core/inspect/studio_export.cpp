// SPDX-License-Identifier: GPL-3.0-or-later
// Export from the desktop application: the same collectExport/writeExport/writeDequantized the CLI uses.
#include "core/inspect/studio_internal.h"

#include "core/util/error.h"

#include <nlohmann/json.hpp>

namespace glvq::inspect {

namespace {

pipeline::ExportedModel contentOf(const QuantizedModel& model, const ModelSession* session,
                                  const EvalSummary* evaluation, const CancelToken& cancel)
{
    if (model.imported)
        return *model.imported;
    if (!model.pipelineResult)
        throw Error("nothing to export: no quantization result");
    const auto directory = session ? session->directory : model.sourceDirectory;
    nlohmann::json results;
    if (evaluation)
        results = { { "ppl_original", evaluation->pplOriginal }, { "ppl_quantized", evaluation->pplQuantized },
                    { "kl", evaluation->kl }, { "protocol", evaluation->protocol },
                    { "bits_per_weight", evaluation->bitsPerWeight } };
    return pipeline::collectExport(*model.pipelineResult, directory, results, cancel);
}

} // namespace

ExportSummary exportHdf5(const QuantizedModel& model, const ModelSession* session, const EvalSummary* evaluation,
                         const std::filesystem::path& path, bool force, const CancelToken& cancel,
                         const ProgressCallback& progress)
{
    const auto content = contentOf(model, session, evaluation, cancel);
    pipeline::ExportOptions options;
    options.force = force;
    pipeline::FileComposition composition;
    try {
        composition = pipeline::writeExport(content, path, options, cancel, progress);
    } catch (...) {
        clearHdf5ErrorStack();
        throw;
    }
    return { path, composition.fileBytes, composition.fileBitsPerQuantizedWeight(), composition.codeBitsPerWeight(),
             composition.sideBitsPerWeight() };
}

void exportDequantized(const QuantizedModel& model, const ModelSession* session, const std::filesystem::path& dir,
                       const std::string& dtype, bool force, const CancelToken& cancel,
                       const ProgressCallback& progress)
{
    pipeline::writeDequantized(contentOf(model, session, nullptr, cancel), dir, dtype, force, cancel, progress);
}

} // namespace glvq::inspect
