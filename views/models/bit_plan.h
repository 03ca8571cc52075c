// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The bit map's data: bits and salience per (layer, group) from a run, the user's edits on top, and what the
// edited plan costs (mean code bits, estimated size of the quantized layers). Plain value, GUI thread.
#include "core/inspect/studio_types.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace glvq::views {

using ExplicitBits = std::map<std::string, std::vector<int>>; // layer name -> bits per group

class BitPlan {
public:
    void setLayers(const std::vector<inspect::LayerSummary>& layers); // forgets edits
    void updateLayer(const inspect::LayerSummary& layer);            // adds or replaces one layer (keeps edits)

    int layerCount() const { return int(m_layers.size()); }
    int groupCount(int layer) const;
    int maxGroupCount() const;
    const inspect::LayerSummary& layer(int index) const { return m_layers[std::size_t(index)]; }
    int layerIndex(const std::string& name) const; // −1 when unknown

    int bits(int layer, int group) const;          // edited value when edited
    bool isEdited(int layer, int group) const;
    void setBits(int layer, int group, int bits);  // 1..4; setting the run's value removes the edit
    bool hasEdits() const { return !m_edits.empty(); }

    double meanCodeBits() const;                   // over all quantized weights, edits applied
    // Codes at the edited widths plus each layer's side information as the run measured it, in bytes.
    double estimatedBytes() const;
    // Every layer's per-group bits with edits applied, for PipelineOptions::explicitBits.
    ExplicitBits explicitBits() const;

private:
    std::vector<inspect::LayerSummary> m_layers;
    std::map<std::pair<int, int>, int> m_edits;
};

} // namespace glvq::views
