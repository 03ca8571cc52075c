// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/util/host_memory.h"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace glvq {

namespace {

// The first integer in a file ("12345\n"); empty for "max" (cgroup v2's no limit), a missing or unreadable file.
std::optional<std::int64_t> readInteger(const std::filesystem::path& path)
{
    std::ifstream in(path);
    std::string text;
    if (!(in >> text))
        return std::nullopt;
    try {
        return std::stoll(text);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// Free memory plus reclaimable caches, machine-wide: "MemAvailable:   12345678 kB". Free pages alone undercount
// badly on Linux (the page cache holds most of the rest and gives it back on demand).
std::optional<std::int64_t> memAvailable()
{
    std::ifstream meminfo("/proc/meminfo");
    const std::string key = "MemAvailable:";
    for (std::string line; std::getline(meminfo, line);)
        if (line.rfind(key, 0) == 0) {
            try {
                return std::stoll(line.substr(key.size())) * 1024;
            } catch (const std::exception&) {
                return std::nullopt;
            }
        }
    return std::nullopt;
}

// The tightest limit − usage over this process's memory cgroup and its ancestors (a container's limit usually
// sits on one of them), cgroup v2 or v1. Empty when no limit applies or none can be read.
std::optional<std::int64_t> cgroupHeadroom()
{
    std::ifstream self("/proc/self/cgroup"); // "0::/path" (v2) or "4:memory:/path" (v1)
    std::optional<std::int64_t> tightest;
    for (std::string line; std::getline(self, line);) {
        const auto first = line.find(':');
        const auto second = line.find(':', first + 1);
        if (first == std::string::npos || second == std::string::npos)
            continue;
        const std::string controllers = line.substr(first + 1, second - first - 1);
        const bool v2 = line.compare(0, first, "0") == 0 && controllers.empty();
        const bool v1 = (',' + controllers + ',').find(",memory,") != std::string::npos;
        if (!v2 && !v1)
            continue;
        const std::filesystem::path mount = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
        std::filesystem::path group = line.substr(second + 1);
        for (;;) {
            const auto dir = mount / group.relative_path();
            const auto limit = readInteger(dir / (v2 ? "memory.max" : "memory.limit_in_bytes"));
            const auto usage = readInteger(dir / (v2 ? "memory.current" : "memory.usage_in_bytes"));
            // v1 reports "no limit" as a huge page-rounded number: anything past 2^60 is none.
            if (limit && usage && *limit < (std::int64_t(1) << 60)) {
                const std::int64_t headroom = std::max<std::int64_t>(0, *limit - *usage);
                tightest = tightest ? std::min(*tightest, headroom) : headroom;
            }
            if (!group.has_relative_path())
                break;
            group = group.parent_path();
        }
    }
    return tightest;
}

} // namespace

std::optional<std::int64_t> availableHostMemoryBytes()
{
    auto available = memAvailable();
#ifdef _SC_AVPHYS_PAGES
    if (!available) {
        const long pages = ::sysconf(_SC_AVPHYS_PAGES);
        const long pageSize = ::sysconf(_SC_PAGESIZE);
        if (pages > 0 && pageSize > 0)
            available = static_cast<std::int64_t>(pages) * pageSize;
    }
#endif
    if (const auto headroom = cgroupHeadroom())
        return available ? std::min(*available, *headroom) : *headroom;
    return available;
}

} // namespace glvq
