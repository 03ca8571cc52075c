// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/util/text_file.h"

#include "core/util/error.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace glvq {

std::string readTextFile(const std::filesystem::path& path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error(path.string() + ": no such file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path.string() + ": cannot open: " + std::strerror(errno));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad())
        throw Error(path.string() + ": read error");
    return std::move(buffer).str();
}

void writeFileAtomically(const std::filesystem::path& path, std::string_view contents)
{
    const auto temporary = path.parent_path() / ("." + path.filename().string() + ".tmp." + std::to_string(::getpid()));
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out)
            throw Error(path.string() + ": cannot create temporary file " + temporary.string() + ": " + std::strerror(errno));
        out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
        out.flush();
        if (!out) {
            std::filesystem::remove(temporary);
            throw Error(path.string() + ": write failed");
        }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        std::filesystem::remove(temporary);
        throw Error(path.string() + ": cannot rename temporary file into place: " + ec.message());
    }
}

} // namespace glvq
