// SPDX-License-Identifier: GPL-3.0-or-later
// Export: gathering a pipeline result + its checkpoint, and writing the HDF5 file (docs/FORMAT.md).
#include "core/pipeline/export_model.h"

#include "core/io/checkpoint.h"
#include "core/io/dtype.h"
#include "core/pipeline/calibration_cache.h"
#include "core/pipeline/export_codes.h"
#include "core/util/error.h"
#include "core/util/sha256.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <random>
#include <set>

namespace glvq::pipeline {

namespace {

std::string readBytes(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path.string() + ": cannot read");
    return { std::istreambuf_iterator<char>(in), {} };
}

// Removes the temporary file unless the export finished (cancel, error).
struct TemporaryFile {
    std::filesystem::path path;
    bool keep = false;
    ~TemporaryFile()
    {
        if (!keep) {
            std::error_code ignored;
            std::filesystem::remove(path, ignored);
        }
    }
};

} // namespace

std::string utcTimestamp()
{
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc {};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

ExportedModel collectExport(const PipelineResult& result, const std::filesystem::path& modelDir,
                            const nlohmann::json& results, const CancelToken& cancel)
{
    ExportedModel model;
    const auto& o = result.options;
    const auto& cal = result.calibration;
    model.files["config.json"] = readBytes(modelDir / "config.json");
    for (const char* name : { "tokenizer.json", "tokenizer_config.json", "tokenizer.model", "special_tokens_map.json",
                              "generation_config.json" })
        if (std::filesystem::is_regular_file(modelDir / name))
            model.files[name] = readBytes(modelDir / name);
    model.metadata = {
        { "format", kExportFormatName }, { "format_version", kExportFormatVersion }, { "tool_version", GLVQ_VERSION },
        { "created_utc", utcTimestamp() }, { "source_model", modelDir.filename().string() },
        { "source_config_json", model.files["config.json"] }, { "source_weights_sha256", checkpointWeightsSha256(modelDir) },
        { "method", o.method }, { "variant", o.variant }, { "target_bits", o.bits }, { "dim", std::int64_t(o.dim) },
        { "group_size", o.groupSize }, { "allocation", o.allocation == BitAllocation::Salience ? "salience" : "uniform" },
        { "row_scale_bits", std::int64_t(o.rowScaleMantissaBits) },
        { "calibration_text", cal.textName }, { "calibration_text_sha256", cal.textSha256 },
        { "calibration_samples", cal.samples }, { "calibration_ctx", cal.ctx },
        { "calibration_seed", std::int64_t(cal.seed) }, { "calibration_mode", cal.mode },
        { "bits_per_weight", result.bitsPerWeight }, { "code_bits_per_weight", result.codeBitsPerWeight },
    };
    const auto checkpoint = io::Checkpoint::open(modelDir);
    std::set<std::string> quantized;
    for (const auto& report : result.layers) {
        const auto& layer = *report.result;
        if (!layer.codes)
            throw Error("layer '" + layer.name + "' has no codes to export");
        model.layers.push_back({ layer.name, layer.codes, layer.weightMse, layer.outputRelativeError });
        quantized.insert(layer.name + ".weight");
    }
    for (const auto& name : checkpoint.tensorNames()) {
        cancel.throwIfCancelled();
        if (quantized.count(name))
            continue;
        const auto& info = checkpoint.info(name);
        const auto bytes = checkpoint.fileOf(name).rawBytes(name);
        model.tensors.push_back({ name, std::string(io::dtypeName(info.dtype)),
                                  { info.shape.begin(), info.shape.end() }, { bytes.begin(), bytes.end() } });
    }
    if (!results.is_null())
        model.results = results;
    return model;
}

namespace {

void writeMetadata(io::h5::File& file, const std::string& object, const nlohmann::json& values)
{
    for (const auto& [key, value] : values.items()) {
        if (value.is_string())
            file.setAttr(object, key, value.get<std::string>());
        else if (value.is_number_integer() || value.is_boolean())
            file.setAttr(object, key, value.get<std::int64_t>());
        else if (value.is_number())
            file.setAttr(object, key, value.get<double>());
    }
}

template <typename T> std::span<const T> asSpan(const std::vector<std::byte>& bytes)
{
    return { reinterpret_cast<const T*>(bytes.data()), bytes.size() / sizeof(T) };
}

} // namespace

FileComposition writeExport(const ExportedModel& model, const std::filesystem::path& path, const ExportOptions& options,
                            const CancelToken& cancel, const ProgressCallback& progress)
{
    if (std::filesystem::exists(path) && !options.force)
        throw Error(path.string() + ": file exists (use --force to replace it)");
    const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    if (!std::filesystem::is_directory(dir))
        throw Error(dir.string() + ": no such directory");
    std::string tempName = "."; // appended piecewise: GCC 12 warns falsely (-Wrestrict) on "." + string
    tempName += path.filename().string();
    tempName += ".tmp-" + std::to_string(std::random_device {}());
    TemporaryFile temp { dir / tempName };
    const auto layerBytes = [](const ExportLayer& layer) {
        return double(layer.codes->rows()) * double(layer.codes->cols()) * layer.codes->bitsPerWeight() / 8.0;
    };
    double totalBytes = 1.0;
    for (const auto& layer : model.layers)
        totalBytes += layerBytes(layer);
    for (const auto& tensor : model.tensors)
        totalBytes += double(tensor.bytes.size());
    ProgressReporter reporter(progress, "export", totalBytes);
    {
        io::h5::File file(temp.path, io::h5::File::Mode::Create);
        const io::h5::Storage side { options.gzipLevel };
        const io::h5::Storage codes { options.codeGzipLevel };
        writeMetadata(file, "/", model.metadata);
        file.createGroup("/files");
        for (const auto& [name, bytes] : model.files) {
            const std::span<const std::uint8_t> data(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
            file.write("/files/" + name, data, { bytes.size() }, side);
        }
        file.createGroup("/layers");
        for (std::size_t i = 0; i < model.layers.size(); ++i) {
            cancel.throwIfCancelled();
            const auto& layer = model.layers[i];
            const auto group = "/layers/" + layer.name;
            file.createGroup(group);
            file.setAttr(group, "index", std::int64_t(i));
            file.setAttr(group, "weight_mse", layer.weightMse);
            file.setAttr(group, "output_relative_error", layer.outputRelativeError);
            file.setAttr(group, "bits_per_weight", layer.codes->bitsPerWeight());
            writeLayerCodes(file, group, *layer.codes, side, codes);
            reporter.advance(layerBytes(layer), "layer " + std::to_string(i + 1) + "/" + std::to_string(model.layers.size()));
        }
        file.createGroup("/tensors");
        for (const auto& tensor : model.tensors) {
            cancel.throwIfCancelled();
            const auto dataset = "/tensors/" + tensor.name;
            if (tensor.dtype == "F32")
                file.write(dataset, asSpan<float>(tensor.bytes), tensor.shape, side);
            else if (tensor.dtype == "F16" || tensor.dtype == "BF16")
                file.write(dataset, asSpan<std::uint16_t>(tensor.bytes), tensor.shape, side);
            else
                throw Error("tensor '" + tensor.name + "': dtype " + tensor.dtype + " has no export layout");
            file.setAttr(dataset, "dtype", tensor.dtype);
            reporter.advance(double(tensor.bytes.size()), tensor.name);
        }
        if (!model.results.is_null()) {
            file.createGroup("/results");
            writeMetadata(file, "/results", model.results);
            file.setAttr("/results", "json", model.results.dump());
        }
        cancel.throwIfCancelled();
        file.close();
    }
    cancel.throwIfCancelled();
    std::error_code error;
    std::filesystem::rename(temp.path, path, error);
    if (error)
        throw Error(path.string() + ": cannot move the finished export into place: " + error.message());
    temp.keep = true;
    reporter.finish(path.filename().string());
    return measureComposition(path);
}

double FileComposition::codeBitsPerWeight() const { return quantizedWeights ? 8.0 * double(codeBytes) / double(quantizedWeights) : 0.0; }
double FileComposition::sideBitsPerWeight() const { return quantizedWeights ? 8.0 * double(sideBytes) / double(quantizedWeights) : 0.0; }
double FileComposition::fileBitsPerQuantizedWeight() const
{
    return quantizedWeights ? 8.0 * double(fileBytes) / double(quantizedWeights) : 0.0;
}
double FileComposition::fileBitsPerWeight() const
{
    const auto all = quantizedWeights + fullPrecisionWeights;
    return all ? 8.0 * double(fileBytes) / double(all) : 0.0;
}

FileComposition measureComposition(const std::filesystem::path& path)
{
    const io::h5::File file(path, io::h5::File::Mode::Read);
    FileComposition out;
    out.fileBytes = std::filesystem::file_size(path);
    for (const auto& name : file.children("/layers")) {
        const auto group = "/layers/" + name;
        out.quantizedWeights += std::uint64_t(file.attrInt(group, "rows") * file.attrInt(group, "cols"));
        for (const auto& dataset : file.children(group))
            (dataset == "codes" ? out.codeBytes : out.sideBytes) += file.storageBytes(group + "/" + dataset);
    }
    for (const auto& name : file.children("/tensors")) {
        out.fullPrecisionBytes += file.storageBytes("/tensors/" + name);
        std::uint64_t count = 1;
        for (auto extent : file.shape("/tensors/" + name))
            count *= extent;
        out.fullPrecisionWeights += count;
    }
    return out;
}

std::size_t RawTensor::checkedElementCount(const std::string& origin) const
{
    const auto type = io::parseDType(dtype);
    if (!type)
        throw Error(origin + ": tensor '" + name + "' has dtype " + dtype + ", expected F32, F16 or BF16");
    std::size_t elements = 1;
    for (const auto extent : shape)
        if (__builtin_mul_overflow(elements, std::size_t(extent), &elements))
            throw Error(origin + ": tensor '" + name + "' has a shape whose element count overflows");
    if (bytes.size() != elements * io::dtypeSize(*type))
        throw Error(origin + ": tensor '" + name + "' holds " + std::to_string(bytes.size()) + " bytes, its shape needs "
                    + std::to_string(elements * io::dtypeSize(*type)));
    return elements;
}

void RawTensor::toFloat32Into(std::span<float> out, const std::string& origin) const
{
    const auto elements = checkedElementCount(origin);
    if (out.size() != elements)
        throw Error(origin + ": tensor '" + name + "' has " + std::to_string(elements) + " elements, "
                    + std::to_string(out.size()) + " expected");
    io::convertToFloat32(*io::parseDType(dtype), bytes, out);
}

std::vector<float> RawTensor::toFloat32(const std::string& origin) const
{
    std::vector<float> values(checkedElementCount(origin));
    toFloat32Into(values, origin);
    return values;
}

} // namespace glvq::pipeline
