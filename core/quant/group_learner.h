// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Initialisation (spec §3.5) and learning (spec §3.3, §3.4, §3.6) of one group's lattice generator G and μ.
// Internal to core/quant. Deterministic: no randomness, fixed iteration order. Runs on the caller's thread.
// The d × d state (G, Adam moments, SVDs) stays on the CPU; the objective's [rows, cols] work runs on its device.
#include "core/quant/glvq_options.h"
#include "core/util/cancel.h"

#include <ATen/core/Tensor.h>

namespace glvq::quant {

class GroupObjective;

struct GroupLattice {
    at::Tensor generator;        // G [d, d] fp64, fp16-representable (what is stored)
    at::Tensor initialGenerator; // G0 after the scale search [d, d] fp64, rounded to fp16 for display
    double mu = 0.0;             // fp16-representable; 0 = companding off
    at::Tensor codes;            // [ℓ, d] fp32 integer codes, Babai-rounded with exactly (generator, mu), on
                                 // the objective's device (G, G0 are on the CPU)
    int iterations = 0;          // Adam steps taken
    double initialLoss = 0.0;    // L_data(G0, μ0)
    double bestObjective = 0.0;  // best L_data + λ‖G − G0‖² seen while learning (before fp16 rounding)
};

// μ0 and the interval μ is projected onto, per companding mode ({0, 0, 0} when off).
struct MuRange {
    double initial = 0.0;
    double lower = 0.0;
    double upper = 0.0;
};
MuRange muRange(Companding companding, const at::Tensor& normalisedGroup);

// G0 = c·chol(C), C the covariance of the companded sub-vectors (+1e-6·tr(C)/d·I), c from a geometric grid of
// `points` values over c_b·[0.5, 2] minimising L_data with codes re-derived for each c. fp64 [d, d].
at::Tensor initialGenerator(const GroupObjective& objective, double mu, int points);

// Initialise and (options.learn) learn G and μ for one group; polls `cancel` every few iterations.
GroupLattice learnGroupLattice(const GroupObjective& objective, const GlvqOptions& options, const MuRange& mu,
                               const CancelToken& cancel);

// Codes for a given fp16-representable lattice, without learning (shared-lattice ablation, all-zero groups).
GroupLattice encodeWithLattice(const GroupObjective& objective, const at::Tensor& generator, double mu);

} // namespace glvq::quant
