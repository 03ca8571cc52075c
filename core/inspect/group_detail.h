// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Everything the group views draw for one column group of one quantized layer, as plain values (no torch).
// GLVQ values live in the normalised domain x = W / (r_i · s_g) that companding and the lattice work in; other
// methods use weight units (valuesNormalized = false). Arrays are rows × columns, row-major.
// Thread-safety: groupDetail() only reads immutable data and may run on any thread, concurrently with a run.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace glvq::inspect {

class ModelSession;
class QuantizedLayer;

struct GroupDetail {
    std::string layer;
    int group = 0;
    std::string method;
    int bits = 0;
    int dim = 0;                      // lattice dimension d; 0 for scalar methods
    std::int64_t rows = 0;
    std::int64_t columns = 0;
    std::int64_t firstColumn = 0;
    double mu = 0.0;                  // μ-law parameter; 0 = companding off
    double scale = 0.0;               // s_g, weight units
    bool valuesNormalized = false;    // true: arrays are in units of r_i · s_g (GLVQ)
    std::vector<double> generator;        // learned G, d×d row-major; empty for scalar methods
    std::vector<double> initialGenerator; // G0 (after the scale search, before learning); empty when unknown
    std::vector<float> original;      // W (normalised for GLVQ); empty when the original weights are unknown
    std::vector<float> companded;     // F_μ(x), GLVQ only (when `original` is known)
    std::vector<float> latticePoints; // v = G (u − o_b): the decoded points in the companded domain, GLVQ only
    std::vector<float> reconstructed; // F_μ⁻¹(v) (GLVQ) or Ŵ
    std::vector<float> error;         // W − Ŵ in weight units; empty when the original weights are unknown
    std::string missing;              // what could not be shown and why, e.g. "original weights: .h5 holds codes only"
};

// `session` may be null (an opened .h5: no original weights). Throws glvq::Error for a group out of range.
GroupDetail groupDetail(const ModelSession* session, const QuantizedLayer& layer, int group);

} // namespace glvq::inspect
