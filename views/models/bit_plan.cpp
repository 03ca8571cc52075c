// SPDX-License-Identifier: GPL-3.0-or-later
#include "views/models/bit_plan.h"

#include <algorithm>

namespace glvq::views {

namespace {

std::int64_t groupColumns(const inspect::LayerSummary& layer, int group)
{
    const std::int64_t first = std::int64_t(group) * layer.groupSize;
    return std::max<std::int64_t>(0, std::min(layer.groupSize, layer.cols - first));
}

double codeBits(const inspect::LayerSummary& layer, const BitPlan& plan, int index)
{
    double bits = 0;
    for (int g = 0; g < int(layer.groups.size()); ++g)
        bits += double(layer.rows * groupColumns(layer, g)) * plan.bits(index, g);
    return bits;
}

} // namespace

void BitPlan::setLayers(const std::vector<inspect::LayerSummary>& layers)
{
    m_layers = layers;
    m_edits.clear();
}

void BitPlan::updateLayer(const inspect::LayerSummary& layer)
{
    const int index = layerIndex(layer.name);
    if (index < 0)
        m_layers.push_back(layer);
    else
        m_layers[std::size_t(index)] = layer;
}

int BitPlan::groupCount(int layer) const
{
    return layer >= 0 && layer < layerCount() ? int(m_layers[std::size_t(layer)].groups.size()) : 0;
}

int BitPlan::maxGroupCount() const
{
    int most = 0;
    for (int l = 0; l < layerCount(); ++l)
        most = std::max(most, groupCount(l));
    return most;
}

int BitPlan::layerIndex(const std::string& name) const
{
    for (int l = 0; l < layerCount(); ++l)
        if (m_layers[std::size_t(l)].name == name)
            return l;
    return -1;
}

int BitPlan::bits(int layer, int group) const
{
    const auto it = m_edits.find({ layer, group });
    if (it != m_edits.end())
        return it->second;
    return group < groupCount(layer) ? m_layers[std::size_t(layer)].groups[std::size_t(group)].bits : 0;
}

bool BitPlan::isEdited(int layer, int group) const { return m_edits.count({ layer, group }) > 0; }

void BitPlan::setBits(int layer, int group, int bits)
{
    if (group < 0 || group >= groupCount(layer))
        return;
    bits = std::clamp(bits, 1, 4);
    if (m_layers[std::size_t(layer)].groups[std::size_t(group)].bits == bits)
        m_edits.erase({ layer, group });
    else
        m_edits[{ layer, group }] = bits;
}

double BitPlan::meanCodeBits() const
{
    double bits = 0, weights = 0;
    for (int l = 0; l < layerCount(); ++l) {
        bits += codeBits(m_layers[std::size_t(l)], *this, l);
        weights += double(m_layers[std::size_t(l)].rows * m_layers[std::size_t(l)].cols);
    }
    return weights > 0 ? bits / weights : 0.0;
}

double BitPlan::estimatedBytes() const
{
    double bits = 0;
    for (int l = 0; l < layerCount(); ++l) {
        const auto& layer = m_layers[std::size_t(l)];
        const double weights = double(layer.rows * layer.cols);
        double runCodeBits = 0;
        for (int g = 0; g < int(layer.groups.size()); ++g)
            runCodeBits += double(layer.rows * groupColumns(layer, g)) * layer.groups[std::size_t(g)].bits;
        const double sideBits = std::max(0.0, layer.bitsPerWeight * weights - runCodeBits);
        bits += codeBits(layer, *this, l) + sideBits;
    }
    return bits / 8.0;
}

ExplicitBits BitPlan::explicitBits() const
{
    ExplicitBits out;
    for (int l = 0; l < layerCount(); ++l) {
        auto& bits = out[m_layers[std::size_t(l)].name];
        for (int g = 0; g < groupCount(l); ++g)
            bits.push_back(this->bits(l, g));
    }
    return out;
}

} // namespace glvq::views
