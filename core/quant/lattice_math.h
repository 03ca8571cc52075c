// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Small numeric building blocks of GLVQ (internal to core/quant and its tests): the mid-rise code alphabet,
// Babai rounding, fp16 rounding, the Max uniform-quantiser steps and the kurtosis used for μ0.
// Sub-vectors are the rows of a [ℓ, d] tensor (spec §1: d consecutive input columns of one output row).
// Thread-safety: pure functions.
#include <ATen/core/Tensor.h>

namespace glvq::quant {

// o_b = (2^b − 1)/2: the code u ∈ {0 … 2^b − 1} stands for the lattice coordinate z = u − o_b (spec §1).
inline double codeOffset(int bits) { return 0.5 * static_cast<double>((1 << bits) - 1); }

// Optimal step of a b-bit uniform (mid-rise) quantiser for a unit Gaussian (Max 1960), spec §3.5.
double maxUniformStep(int bits);

// out = in · matrix for tall sub-vector matrices in [ℓ, d] and matrix [d, d] (all fp32, contiguous; out
// preallocated [ℓ, d]). Batched in row chunks because BLAS runs a tall [ℓ, 8] × [8, 8] product ~3× slower as a
// single GEMM.
void multiplySubvectors(const at::Tensor& in, const at::Tensor& matrix, at::Tensor& out);
// aᵀ b for tall a, b [ℓ, d] → [d, d], chunked likewise.
at::Tensor transposedProduct(const at::Tensor& a, const at::Tensor& b);

// Babai rounding into a caller-owned buffer (resized to [ℓ, d] fp32 on first use), allocation-free when reused.
void babaiCodesInto(const at::Tensor& subvectors, const at::Tensor& generatorInverse, int bits, at::Tensor& codes);

// Babai rounding: u = clamp(round_half_even(G⁻¹ y + o_b), 0, 2^b − 1) for every row y of `subvectors` [ℓ, d];
// `generatorInverse` is G⁻¹ [d, d]. Returns codes as fp32 integers [ℓ, d]. Computed in fp32 (spec A19).
at::Tensor babaiCodes(const at::Tensor& subvectors, const at::Tensor& generatorInverse, int bits);

// Lattice points v = G (u − o_b) for every row of `codes` [ℓ, d]; returns [ℓ, d] fp32.
at::Tensor latticePoints(const at::Tensor& codes, const at::Tensor& generator, int bits);

// Workspace reuse: leaves `buffer` alone when it already has like's shape, dtype and device, else allocates a
// contiguous tensor like it (values undefined). The learner's hot loops reuse buffers through this.
void ensureBufferLike(at::Tensor& buffer, const at::Tensor& like);

// Values rounded to the nearest fp16 (ties to even), returned in the input's dtype.
at::Tensor roundToHalf(const at::Tensor& values);
double roundToHalf(double value);

// Values rounded to fp16 numbers with at most `mantissaBits` (0..10) explicit mantissa bits (0: the nearer of the
// two enclosing powers of two, measured linearly): still stored as fp16,
// but the zero low bits let the export's shuffle + gzip filters drop them (10 = roundToHalf). Ties go to even
// in both roundings; a value rounded twice (fp16, then fewer bits) differs from a single rounding only at exact
// ties, and the result is what is stored and decoded either way. fp16 subnormals (|x| < 6.1e-5) keep the bits fp16
// gives them; values that would round past 65504 stay at 65504.
at::Tensor roundToMantissaBits(const at::Tensor& values, int mantissaBits);

// Pearson (non-excess) kurtosis E[(w − w̄)⁴] / σ⁴ of all elements; 3 for a Gaussian, 0 for a constant.
double pearsonKurtosis(const at::Tensor& values);

} // namespace glvq::quant
