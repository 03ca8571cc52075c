// SPDX-License-Identifier: GPL-3.0-or-later
// What Auto (--kernels) weighs a decoded model against: a plausible amount of memory, never more than the
// machine has, and one that follows what this process allocates.
#include "core/util/host_memory.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

namespace {

std::int64_t memTotal()
{
    std::ifstream meminfo("/proc/meminfo");
    std::string key, unit;
    std::int64_t kib = 0;
    meminfo >> key >> kib >> unit; // the first line: "MemTotal: N kB"
    EXPECT_EQ(key, "MemTotal:");
    return kib * 1024;
}

} // namespace

TEST(HostMemory, AvailableIsPositiveAndAtMostWhatTheMachineHas)
{
    const auto available = glvq::availableHostMemoryBytes();
    ASSERT_TRUE(available.has_value()) << "Linux reports MemAvailable";
    EXPECT_GT(*available, std::int64_t(64) << 20);
    EXPECT_LE(*available, memTotal());
}

TEST(HostMemory, AvailableShrinksWhenThisProcessHoldsMemory)
{
    const auto before = glvq::availableHostMemoryBytes();
    ASSERT_TRUE(before.has_value());
    constexpr std::size_t kBytes = std::size_t(512) << 20;
    std::vector<char> held(kBytes, 1); // touched, so resident
    const auto during = glvq::availableHostMemoryBytes();
    ASSERT_TRUE(during.has_value());
    // Other processes move the figure too; half of what was taken must show.
    EXPECT_LT(*during, *before - static_cast<std::int64_t>(kBytes / 2)) << "held " << held.size() << " bytes";
}
