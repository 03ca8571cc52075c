// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Open-addressing hash map from a token pair (two ids packed in 64 bits) to its merge (rank, new id).
// The BPE merge loop looks pairs up several times per merged symbol, so this is its hot path:
// linear probing over a power-of-two table of plain structs, no node allocations, no string keys.
// Thread-safety: const lookups may run concurrently; building is single-threaded.
#include <cstdint>
#include <vector>

namespace glvq::tok {

struct MergeRule {
    std::uint32_t rank = 0;
    std::int32_t newId = -1;
};

class PairMap {
public:
    static std::uint64_t key(std::int32_t left, std::int32_t right)
    {
        return (std::uint64_t(std::uint32_t(left)) << 32) | std::uint32_t(right);
    }

    void reserve(std::size_t count)
    {
        std::size_t capacity = 16;
        while (capacity < count * 2)
            capacity *= 2;
        m_slots.assign(capacity, Slot{});
        m_mask = capacity - 1;
        m_size = 0;
    }

    // A later rule for the same pair replaces the earlier one, as collecting into a HashMap does in the
    // reference implementation.
    void insertOrAssign(std::int32_t left, std::int32_t right, MergeRule rule)
    {
        if ((m_size + 1) * 2 > m_slots.size())
            grow();
        const std::uint64_t k = key(left, right);
        std::size_t i = hash(k) & m_mask;
        while (m_slots[i].key != kEmpty && m_slots[i].key != k)
            i = (i + 1) & m_mask;
        if (m_slots[i].key == kEmpty)
            ++m_size;
        m_slots[i] = Slot{k, rule};
    }

    const MergeRule* find(std::int32_t left, std::int32_t right) const
    {
        if (m_slots.empty())
            return nullptr;
        const std::uint64_t k = key(left, right);
        std::size_t i = hash(k) & m_mask;
        while (true) {
            const Slot& slot = m_slots[i];
            if (slot.key == k)
                return &slot.rule;
            if (slot.key == kEmpty)
                return nullptr;
            i = (i + 1) & m_mask;
        }
    }

    std::size_t size() const { return m_size; }

private:
    // Ids are non-negative, so no real pair packs to all ones: that marks an empty slot, which keeps a
    // slot at 16 bytes (four to a cache line).
    static constexpr std::uint64_t kEmpty = ~std::uint64_t(0);

    struct Slot {
        std::uint64_t key = kEmpty;
        MergeRule rule;
    };

    static std::size_t hash(std::uint64_t k)
    {
        k ^= k >> 33; // splitmix-style finaliser: ids are small and dense, spread them over the table
        k *= 0xff51afd7ed558ccdULL;
        k ^= k >> 33;
        return static_cast<std::size_t>(k);
    }

    void grow()
    {
        std::vector<Slot> old = std::move(m_slots);
        reserve(old.empty() ? 8 : old.size());
        for (const Slot& slot : old) {
            if (slot.key != kEmpty)
                insertOrAssign(std::int32_t(slot.key >> 32), std::int32_t(slot.key & 0xFFFFFFFFu), slot.rule);
        }
    }

    std::vector<Slot> m_slots;
    std::size_t m_mask = 0;
    std::size_t m_size = 0;
};

} // namespace glvq::tok
