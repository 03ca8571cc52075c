// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/calibration_cache.h"

#include "core/io/hdf5/h5_file.h"
#include "core/util/error.h"
#include "core/util/sha256.h"
#include "core/util/text_file.h"

#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <span>
#include <vector>

namespace glvq::pipeline {

namespace {

constexpr const char* kFormat = "glvq-calibration-cache";
constexpr std::int64_t kVersion = 1;

std::span<const std::byte> bytesOf(const std::string& text) { return std::as_bytes(std::span(text.data(), text.size())); }

template <typename T>
at::Tensor tensorFrom(std::vector<T> values, const std::vector<std::uint64_t>& shape, at::ScalarType type)
{
    std::vector<std::int64_t> sizes(shape.begin(), shape.end());
    return torch::from_blob(values.data(), sizes, torch::TensorOptions().dtype(type)).clone();
}

std::vector<std::uint64_t> shapeOf(const at::Tensor& t) { return { t.sizes().begin(), t.sizes().end() }; }

void expectAttr(const io::h5::File& file, const char* name, const std::string& expected)
{
    const auto value = file.attrString("/", name);
    if (value != expected)
        throw Error(file.where("/") + ": " + name + " is '" + value + "', expected '" + expected + "'");
}

void expectAttr(const io::h5::File& file, const char* name, std::int64_t expected)
{
    const auto value = file.attrInt("/", name);
    if (value != expected)
        throw Error(file.where("/") + ": " + name + " is " + std::to_string(value) + ", expected " + std::to_string(expected));
}

CalibrationProtocol protocolFor(const PipelineOptions& options)
{
    CalibrationProtocol p;
    p.textName = options.calibrationText.filename().string();
    p.textSha256 = sha256Hex(bytesOf(readTextFile(options.calibrationText)));
    p.samples = options.samples;
    p.ctx = options.ctx;
    p.seed = options.seed;
    p.mode = "original";
    return p;
}

} // namespace

std::string checkpointWeightsSha256(const std::filesystem::path& modelDir)
{
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(modelDir))
        if (entry.path().extension() == ".safetensors")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.filename() < b.filename(); });
    Sha256 hash;
    std::vector<char> buffer(1 << 20);
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        if (!in)
            throw Error(file.string() + ": cannot read");
        while (in.read(buffer.data(), std::streamsize(buffer.size())) || in.gcount() > 0)
            hash.update(std::span<const std::byte>(reinterpret_cast<const std::byte*>(buffer.data()), std::size_t(in.gcount())));
    }
    return hash.hexDigest();
}

std::filesystem::path calibrationCacheFile(const std::filesystem::path& cacheDir, const std::string& weightsSha256,
                                           const CalibrationProtocol& protocol)
{
    const std::string key = std::string(kFormat) + "/" + std::to_string(kVersion) + "\n" + weightsSha256 + "\n"
                            + protocol.textSha256 + "\n" + std::to_string(protocol.samples) + "\n"
                            + std::to_string(protocol.ctx) + "\n" + std::to_string(protocol.seed) + "\n" + protocol.mode;
    return cacheDir / ("calibration-" + sha256Hex(bytesOf(key)).substr(0, 32) + ".h5");
}

std::optional<std::shared_ptr<const CalibrationStatistics>>
readCalibrationCache(const std::filesystem::path& file, const std::string& weightsSha256, const CalibrationProtocol& protocol)
{
    if (!std::filesystem::exists(file))
        return std::nullopt;
    io::h5::File h5(file, io::h5::File::Mode::Read);
    expectAttr(h5, "format", kFormat);
    expectAttr(h5, "version", kVersion);
    expectAttr(h5, "weights_sha256", weightsSha256);
    expectAttr(h5, "text_sha256", protocol.textSha256);
    expectAttr(h5, "samples", protocol.samples);
    expectAttr(h5, "ctx", protocol.ctx);
    expectAttr(h5, "seed", static_cast<std::int64_t>(protocol.seed));
    expectAttr(h5, "mode", protocol.mode);
    auto statistics = std::make_shared<CalibrationStatistics>();
    statistics->protocol = protocol;
    statistics->protocol.textName = h5.attrString("/", "text_name");
    for (const auto& name : h5.children("/hessians")) {
        const auto hessianShape = h5.shape("/hessians/" + name);
        if (hessianShape.size() != 2 || hessianShape[0] != hessianShape[1])
            throw Error(h5.where("/hessians/" + name) + ": not a square matrix");
        statistics->hessians[name] = tensorFrom(h5.read<double>("/hessians/" + name), hessianShape, at::kDouble);
        const auto sampleShape = h5.shape("/samples/" + name);
        if (sampleShape.size() != 2 || sampleShape[1] != hessianShape[0])
            throw Error(h5.where("/samples/" + name) + ": shape does not match its Hessian");
        statistics->samples[name] = tensorFrom(h5.read<float>("/samples/" + name), sampleShape, at::kFloat);
    }
    if (statistics->hessians.empty())
        throw Error(h5.where("/hessians") + ": no layers");
    return statistics;
}

void writeCalibrationCache(const std::filesystem::path& file, const std::string& weightsSha256,
                           const CalibrationStatistics& statistics)
{
    const auto temporary = file.parent_path() / (file.filename().string() + ".partial");
    try {
        {
            io::h5::File h5(temporary, io::h5::File::Mode::Create);
            const auto& p = statistics.protocol;
            h5.setAttr("/", "format", std::string_view(kFormat));
            h5.setAttr("/", "version", kVersion);
            h5.setAttr("/", "weights_sha256", std::string_view(weightsSha256));
            h5.setAttr("/", "text_name", std::string_view(p.textName));
            h5.setAttr("/", "text_sha256", std::string_view(p.textSha256));
            h5.setAttr("/", "samples", p.samples);
            h5.setAttr("/", "ctx", p.ctx);
            h5.setAttr("/", "seed", static_cast<std::int64_t>(p.seed));
            h5.setAttr("/", "mode", std::string_view(p.mode));
            h5.createGroup("/hessians");
            h5.createGroup("/samples");
            for (const auto& [name, hessian] : statistics.hessians) {
                const auto h = hessian.to(at::kCPU, at::kDouble).contiguous();
                h5.write<double>("/hessians/" + name, std::span(h.data_ptr<double>(), std::size_t(h.numel())), shapeOf(h));
                const auto s = statistics.samples.at(name).to(at::kCPU, at::kFloat).contiguous();
                h5.write<float>("/samples/" + name, std::span(s.data_ptr<float>(), std::size_t(s.numel())), shapeOf(s));
            }
            h5.close();
        }
        std::filesystem::rename(temporary, file);
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw;
    }
}

CachedStatistics cachedCalibrationStatistics(model::CausalLM& model, const tok::Tokenizer& tokenizer,
                                             const PipelineOptions& options, const std::filesystem::path& modelDir,
                                             const std::filesystem::path& cacheDir, const ProgressCallback& progress,
                                             const CancelToken& cancel)
{
    if (options.calibrationMode != CalibrationMode::Original)
        throw Error("the calibration cache holds statistics of the unquantized model (--calib-mode original)");
    const auto protocol = protocolFor(options);
    const auto weights = checkpointWeightsSha256(modelDir);
    std::error_code made;
    std::filesystem::create_directories(cacheDir, made);
    if (made)
        throw Error(cacheDir.string() + ": cannot create the calibration cache directory (" + made.message() + ")");
    CachedStatistics out;
    out.file = calibrationCacheFile(cacheDir, weights, protocol);
    try {
        if (auto cached = readCalibrationCache(out.file, weights, protocol)) {
            out.statistics = std::move(*cached);
            out.fromCache = true;
            return out;
        }
    } catch (const Error& error) {
        if (progress) // a damaged cache costs a recomputation, never a failed run
            progress({ .stage = "calibration cache", .detail = std::string("recomputing: ") + error.what() });
    }
    out.statistics = collectCalibrationStatistics(model, tokenizer, options, progress, cancel);
    writeCalibrationCache(out.file, weights, *out.statistics);
    return out;
}

} // namespace glvq::pipeline
