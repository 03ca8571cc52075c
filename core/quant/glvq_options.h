// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Options of the GLVQ quantizer. Defaults follow spec §0 ("defaults changed after measurement"): row scale
// and block-LDLQ error feedback on, learnable companding starting at μ = 1, plus (our measurement, recorded
// in docs/quality.md) LDLQ feedback between sub-vectors inside each group; paperFaithful() gives §1–§3 as
// the paper describes them, so ablations can show what each change does. Plain value type.
#include <string>

namespace glvq::quant {

enum class Companding {
    Off,           // μ = 0: Ŵ = r·s·G z, no μ stored
    Learnable,     // μ starts at 1, learned (Adam on log μ), projected onto [1, 255]   (spec §0 item 3)
    PaperKurtosis, // μ0 = clamp(100·tanh(κ/10), 10, 255), κ Pearson kurtosis, projected onto [10, 255] (§2, §3.5)
};

struct GlvqOptions {
    int dim = 8;                        // lattice dimension d ∈ {2, 4, 8, 16, 32}; must divide every group width
    Companding companding = Companding::Learnable;
    bool rowScale = true;               // divide each output row by its RMS before grouping (fp16, 16 bits/row)
    bool feedback = true;               // block-LDLQ error feedback across groups, in column order
    // LDLQ feedback between the d-column sub-vector blocks inside each group: codes chosen as GPTQ would with
    // block size d, G and μ learned against those codes. Not in the paper or spec; on by default because it
    // measured better (debian-llama-16m 2-bit: 87.84 → 84.69 PPL, docs/quality.md). Works with or without
    // `feedback` (against H_eff or the group's damped block).
    bool subvectorFeedback = true;
    bool learn = true;                  // false: initialisation only (Cholesky G0 + scale search)
    int maxIterations = 0;              // 0: 300 for d ≤ 8, 500 for larger d (spec §3.6)
    double lambdaRel = 0.1;             // λ = lambdaRel · L_data(G0) / ‖G0‖²_F (spec §3.6)
    double tolerance = 1e-4;            // ε of the stopping test |L(t) − L(t−1)| < ε·L(t−1) (spec §3.3)
    int patience = 10;                  // stop once the test holds this many iterations in a row
    int scaleSearchPoints = 20;         // points of the 1-D search c ∈ c_b·[0.5, 2] (geometric grid)
    double relativeDamp = 0.01;         // Hessian damping, fraction of mean diag H
    // Ablation: one (G, μ) per layer and bit width, learned on the first group of that width and reused
    // (codes recomputed, no learning) by the later groups; G and μ are then counted once in the bits.
    bool sharedLattice = false;
    // Row scales are fp16 numbers rounded to this many explicit mantissa bits (10 = plain fp16). Fewer bits leave
    // zero low bits that the export's shuffle + gzip filters drop, and encoding uses exactly the rounded values:
    // 3 bits stored 36 % less side information, PPL within the benchmark's noise (docs/benchmarks.md).
    int rowScaleMantissaBits = 10;

    // No row scale, no feedback, kurtosis-initialised μ ∈ [10, 255]: spec §1–§3 as written.
    static GlvqOptions paperFaithful();

    int effectiveMaxIterations() const { return maxIterations > 0 ? maxIterations : (dim <= 8 ? 300 : 500); }
    // Throws glvq::Error naming `what` (the layer) when an option is out of range.
    void validate(const std::string& what) const;
};

std::string toString(Companding companding);

} // namespace glvq::quant
