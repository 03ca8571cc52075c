// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/checkpoint.h"

#include "core/io/error_text.h"
#include "core/util/error.h"
#include "core/util/text_file.h"

#include <nlohmann/json.hpp>

#include <system_error>

namespace glvq::io {

namespace {

namespace fs = std::filesystem;

constexpr const char* kSingleName = "model.safetensors";
constexpr const char* kIndexName = "model.safetensors.index.json";

std::string label(const fs::path& path) { return detail::printable(path.string(), 4096); }

// Tensor name -> shard file name, as `model.safetensors.index.json` lists them.
std::map<std::string, std::string> readWeightMap(const fs::path& indexPath)
{
    // The index is a few kB in practice; the bound keeps a hostile file from making us read gigabytes.
    std::error_code ec;
    const auto size = fs::file_size(indexPath, ec);
    if (!ec && size > SafetensorsFile::kMaxHeaderBytes)
        throw Error(label(indexPath) + ": index file of " + std::to_string(size) + " bytes exceeds the limit of "
                    + std::to_string(SafetensorsFile::kMaxHeaderBytes) + " bytes");
    const std::string text = readTextFile(indexPath);
    nlohmann::json root;
    try {
        root = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(label(indexPath) + ": malformed JSON index: " + detail::printable(e.what()));
    }
    if (!root.is_object() || !root.contains("weight_map") || !root["weight_map"].is_object())
        throw Error(label(indexPath) + ": index has no \"weight_map\" object");
    std::map<std::string, std::string> weightMap;
    for (const auto& [name, shard] : root["weight_map"].items()) {
        if (!shard.is_string())
            throw Error(label(indexPath) + ": \"weight_map\" entry for " + detail::tensorLabel(name)
                        + " is not a file name string");
        weightMap.emplace(name, shard.get<std::string>());
    }
    return weightMap;
}

// Shards must sit beside the index: an absolute path or ".." would let a downloaded index read
// arbitrary files.
void checkShardName(const std::string& shard, const std::string& tensor, const fs::path& indexPath)
{
    const fs::path relative(shard);
    bool escapes = shard.empty() || relative.is_absolute();
    for (const auto& part : relative)
        escapes = escapes || part == "..";
    if (escapes)
        throw Error(label(indexPath) + ": shard name '" + detail::printable(shard) + "' for "
                    + detail::tensorLabel(tensor) + " must be a file name relative to the index");
}

} // namespace

Checkpoint Checkpoint::open(const std::filesystem::path& path)
{
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status))
        throw Error(label(path) + ": no such file or directory");

    fs::path singlePath;
    fs::path indexPath;
    Checkpoint checkpoint;
    if (fs::is_directory(status)) {
        checkpoint.m_directory = path;
        // The single file wins when both exist, as in transformers' own lookup order.
        if (fs::is_regular_file(path / kSingleName, ec))
            singlePath = path / kSingleName;
        else if (fs::is_regular_file(path / kIndexName, ec))
            indexPath = path / kIndexName;
        else
            throw Error(label(path) + ": checkpoint directory has neither " + kSingleName + " nor " + kIndexName);
    } else {
        checkpoint.m_directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
        (path.extension() == ".json" ? indexPath : singlePath) = path;
    }

    if (!singlePath.empty()) {
        checkpoint.m_files.push_back(std::make_unique<SafetensorsFile>(singlePath));
        const SafetensorsFile* file = checkpoint.m_files.back().get();
        for (const auto& tensor : file->tensors())
            checkpoint.m_owner.emplace(tensor.name, file);
        return checkpoint;
    }

    // Group the index by shard so that each shard is opened once, in a deterministic order.
    std::map<std::string, std::vector<std::string>> namesByShard;
    for (auto& [name, shard] : readWeightMap(indexPath)) {
        checkShardName(shard, name, indexPath);
        namesByShard[shard].push_back(name);
    }
    const fs::path shardDir = indexPath.has_parent_path() ? indexPath.parent_path() : fs::path(".");
    std::map<std::string_view, const SafetensorsFile*> holder; // every tensor of every shard
    for (const auto& [shard, names] : namesByShard) {
        const fs::path shardPath = shardDir / shard;
        if (!fs::is_regular_file(shardPath, ec))
            throw Error(label(indexPath) + ": shard " + label(shardPath) + " (holding " + detail::tensorLabel(names.front())
                        + ") does not exist");
        checkpoint.m_files.push_back(std::make_unique<SafetensorsFile>(shardPath));
        const SafetensorsFile* file = checkpoint.m_files.back().get();
        for (const auto& name : names) {
            if (!file->find(name))
                throw Error(label(shardPath) + ": " + detail::tensorLabel(name) + " is listed for this shard in "
                            + label(indexPath) + " but the shard does not contain it");
            checkpoint.m_owner.emplace(name, file);
        }
        // Tensors the index does not list are tolerated, but one stored twice would make the
        // checkpoint ambiguous whichever copy the index points at.
        for (const auto& tensor : file->tensors()) {
            const auto [it, inserted] = holder.emplace(tensor.name, file);
            if (!inserted)
                throw Error(label(shardPath) + ": " + detail::tensorLabel(tensor.name) + " is also present in shard "
                            + label(it->second->path()));
        }
    }
    return checkpoint;
}

std::vector<std::string> Checkpoint::tensorNames() const
{
    std::vector<std::string> names;
    names.reserve(m_owner.size());
    for (const auto& [name, file] : m_owner)
        names.push_back(name);
    return names;
}

bool Checkpoint::contains(std::string_view name) const { return m_owner.find(name) != m_owner.end(); }

const SafetensorsFile& Checkpoint::fileOf(std::string_view name) const
{
    const auto it = m_owner.find(name);
    if (it == m_owner.end())
        throw Error(label(m_directory) + ": no " + detail::tensorLabel(name) + " in the checkpoint");
    return *it->second;
}

const TensorInfo& Checkpoint::info(std::string_view name) const { return fileOf(name).info(name); }

std::vector<float> Checkpoint::readFloat32(std::string_view name) const { return fileOf(name).readFloat32(name); }

std::uint64_t Checkpoint::totalTensorBytes() const
{
    std::uint64_t total = 0;
    for (const auto& [name, file] : m_owner)
        total += file->info(name).byteSize;
    return total;
}

} // namespace glvq::io
