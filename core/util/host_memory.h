// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// How much memory this machine can still hand out: what decides whether a model may be decoded to dense fp32
// or must keep its packed codes (pipeline::QuantizedKernels::Auto). Thread-safe; reads the OS each call.
#include <cstdint>
#include <optional>

namespace glvq {

// Bytes this process could allocate now without swapping or being killed: Linux's MemAvailable (free memory
// plus reclaimable caches; else the free physical pages), capped by the headroom of its memory cgroup and their
// ancestors (a container's limit minus its usage, cgroup v1 or v2). Empty when the OS tells none of these.
std::optional<std::int64_t> availableHostMemoryBytes();

} // namespace glvq
