// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/group_learner.h"

#include "core/quant/group_objective.h"
#include "core/quant/lattice_math.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace glvq::quant {
namespace {

constexpr double kBeta1 = 0.9;
constexpr double kBeta2 = 0.999;
constexpr int kCancelPollInterval = 8;

at::Tensor inverseOf(const at::Tensor& generator) { return at::linalg_inv(generator.to(at::kDouble)); }

// Adam state for one parameter tensor (spec §3.6: β1 0.9, β2 0.999).
struct AdamState {
    at::Tensor first;
    at::Tensor second;
    double epsilon = 0.0;
    int step = 0;

    at::Tensor update(const at::Tensor& gradient, double learningRate)
    {
        if (step == 0) {
            first = at::zeros_like(gradient);
            second = at::zeros_like(gradient);
            // Adam's ε must be small against the gradient, whose scale is that of the (arbitrary) loss units.
            epsilon = 1e-8 * std::max(gradient.abs().max().item<double>(), std::numeric_limits<double>::min());
        }
        ++step;
        first.mul_(kBeta1).add_(gradient, 1.0 - kBeta1);
        second.mul_(kBeta2).addcmul_(gradient, gradient, 1.0 - kBeta2);
        const double correction1 = 1.0 - std::pow(kBeta1, step);
        const double correction2 = 1.0 - std::pow(kBeta2, step);
        return (first / correction1).div_((second / correction2).sqrt_().add_(epsilon)).mul_(learningRate);
    }
};

struct ScalarAdam {
    double first = 0.0;
    double second = 0.0;
    int step = 0;

    double update(double gradient, double learningRate)
    {
        ++step;
        first = kBeta1 * first + (1.0 - kBeta1) * gradient;
        second = kBeta2 * second + (1.0 - kBeta2) * gradient * gradient;
        const double m = first / (1.0 - std::pow(kBeta1, step));
        const double v = second / (1.0 - std::pow(kBeta2, step));
        return learningRate * m / (std::sqrt(v) + 1e-12 * std::abs(m) + std::numeric_limits<double>::min());
    }
};

// Spectral clipping (spec §3.6): singular values of G kept in [lower, upper]. Returns (G, G⁻¹) from one SVD.
std::pair<at::Tensor, at::Tensor> clipSpectrum(const at::Tensor& generator, double lower, double upper)
{
    const auto [u, sigma, vh] = at::linalg_svd(generator, /*full_matrices=*/false);
    const auto clipped = sigma.clamp(lower, upper);
    auto g = at::equal(clipped, sigma) ? generator : at::mm(u * clipped.unsqueeze(0), vh);
    auto inverse = at::mm(vh.t() * clipped.reciprocal().unsqueeze(0), u.t());
    return {std::move(g), std::move(inverse)};
}

GroupLattice finalise(const GroupObjective& objective, const at::Tensor& generator, const at::Tensor& initial, double mu)
{
    // Spec A19: store G (and μ) in fp16 and derive the codes from exactly those values.
    GroupLattice lattice;
    lattice.generator = roundToHalf(generator.to(at::kDouble));
    lattice.initialGenerator = roundToHalf(initial.to(at::kDouble));
    lattice.mu = roundToHalf(mu);
    lattice.codes = objective.encode(lattice.generator, inverseOf(lattice.generator), lattice.mu);
    return lattice;
}

} // namespace

MuRange muRange(Companding companding, const at::Tensor& normalisedGroup)
{
    switch (companding) {
    case Companding::Off: return {};
    case Companding::Learnable: return {1.0, 1.0, 255.0};
    case Companding::PaperKurtosis: {
        const double kurtosis = pearsonKurtosis(normalisedGroup);
        return {std::clamp(100.0 * std::tanh(kurtosis / 10.0), 10.0, 255.0), 10.0, 255.0};
    }
    }
    return {};
}

at::Tensor initialGenerator(const GroupObjective& objective, double mu, int points)
{
    const int d = objective.dim();
    const auto y = objective.companded(mu).to(at::kDouble);
    // d × d: to the CPU, where the learner's small linear algebra runs (y may live on CUDA).
    auto covariance = at::mm(y.t(), y).div_(static_cast<double>(y.size(0))).to(at::kCPU);
    const double trace = covariance.trace().item<double>();
    const auto identity = at::eye(d, at::TensorOptions().dtype(at::kDouble));
    // An all-zero (or numerically empty) group has no principal directions: fall back to the identity.
    covariance = trace > 0.0 ? covariance.add_(identity, 1e-6 * trace / d) : identity.clone();
    const auto cholesky = at::linalg_cholesky(covariance);
    const auto base = cholesky * maxUniformStep(objective.bits());
    const auto baseInverse = inverseOf(base);

    double bestLoss = std::numeric_limits<double>::infinity();
    double bestFactor = 1.0;
    const int n = std::max(points, 1);
    for (int j = 0; j < n; ++j) {
        const double factor = n == 1 ? 1.0 : 0.5 * std::pow(4.0, static_cast<double>(j) / (n - 1));
        const double loss = objective.lossWithRounding(base * factor, baseInverse / factor, mu);
        if (loss < bestLoss) {
            bestLoss = loss;
            bestFactor = factor;
        }
    }
    return base * bestFactor;
}

GroupLattice learnGroupLattice(const GroupObjective& objective, const GlvqOptions& options, const MuRange& muRange,
                               const CancelToken& cancel)
{
    const at::Tensor g0 = initialGenerator(objective, muRange.initial, options.scaleSearchPoints);
    at::Tensor g = g0;
    at::Tensor gInverse = inverseOf(g0);
    double mu = muRange.initial;
    const double initialLoss = objective.lossWithRounding(g, gInverse, mu);
    if (!options.learn || !(initialLoss > 0.0)) {
        auto lattice = finalise(objective, g0, g0, mu);
        lattice.initialLoss = lattice.bestObjective = initialLoss;
        return lattice;
    }

    // Spec §3.6: scale-free anchor weight, step sizes relative to G0, singular values within 4× of G0's.
    const double g0Norm2 = g0.pow(2).sum().item<double>();
    const double lambda = options.lambdaRel * initialLoss / g0Norm2;
    const double learningRateG = 5e-3 * std::sqrt(g0Norm2 / static_cast<double>(g0.numel()));
    const double learningRateMu = 1e-2;
    const auto sigma0 = at::linalg_svdvals(g0);
    const double sigmaLower = sigma0.min().item<double>() / 4.0;
    const double sigmaUpper = 4.0 * sigma0.max().item<double>();
    const bool learnMu = muRange.initial != 0.0 && muRange.upper > muRange.lower;

    AdamState adamG;
    ScalarAdam adamMu;
    at::Tensor bestG = g0;
    double bestMu = mu;
    double bestObjective = initialLoss;
    double previousObjective = -1.0; // none yet
    int calmIterations = 0;          // consecutive iterations whose objective moved by less than ε (relative)
    int iterations = 0;
    const int maxIterations = options.effectiveMaxIterations();
    at::Tensor codes; // reused every iteration
    for (; iterations < maxIterations; ++iterations) {
        if (iterations % kCancelPollInterval == 0)
            cancel.throwIfCancelled();
        // Codes are re-derived from the current (G, μ) and then held fixed for this step (spec §3.3).
        objective.encodeInto(g, gInverse, mu, codes);
        const auto value = objective.evaluate(g, mu, codes, true);
        const auto drift = g - g0;
        const double objectiveValue = value.loss + lambda * drift.pow(2).sum().item<double>();
        if (objectiveValue < bestObjective) { // re-rounding can raise L: keep the best iterate
            bestObjective = objectiveValue;
            bestG = g;
            bestMu = mu;
        }
        // Spec §3.3/§3.6 stopping test |L(t) − L(t−1)| / L(t−1) < ε, required `patience` times in a row: the
        // loss jumps whenever codes re-round, so a single calm step is no evidence of convergence.
        if (previousObjective > 0.0) {
            const bool calm = std::abs(objectiveValue - previousObjective) < options.tolerance * previousObjective;
            calmIterations = calm ? calmIterations + 1 : 0;
            if (calmIterations >= options.patience)
                break;
        }
        previousObjective = objectiveValue;
        const auto gradient = value.gradG + drift * (2.0 * lambda);
        auto stepped = g - adamG.update(gradient, learningRateG);
        if (learnMu) {
            // Adam on log μ: ∂L/∂log μ = μ · ∂L/∂μ; then project onto the mode's interval.
            const double logMu = std::log(mu) - adamMu.update(mu * value.gradMu, learningRateMu);
            mu = std::clamp(std::exp(logMu), muRange.lower, muRange.upper);
        }
        std::tie(g, gInverse) = clipSpectrum(stepped, sigmaLower, sigmaUpper);
    }

    auto lattice = finalise(objective, bestG, g0, bestMu);
    lattice.iterations = iterations;
    lattice.initialLoss = initialLoss;
    lattice.bestObjective = bestObjective;
    return lattice;
}

GroupLattice encodeWithLattice(const GroupObjective& objective, const at::Tensor& generator, double mu)
{
    return finalise(objective, generator, generator, mu);
}

} // namespace glvq::quant
