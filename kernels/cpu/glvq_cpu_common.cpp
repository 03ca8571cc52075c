// SPDX-License-Identifier: GPL-3.0-or-later
// What the fast CPU product and decoder share outside their SIMD loops: the instruction-set choice and each
// group's side info in fp32.
#include "kernels/cpu/glvq_cpu_simd.h"
#include "kernels/glvq_fail.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace glvq_cpu {

bool cpuRuns(glvq_cpu_isa isa)
{
#if GLVQ_X86_LEVELS
    __builtin_cpu_init();
    switch (isa) {
    case GLVQ_CPU_ISA_AVX512: return __builtin_cpu_supports("x86-64-v4");
    case GLVQ_CPU_ISA_AVX2: return __builtin_cpu_supports("x86-64-v3");
    default: return isa == GLVQ_CPU_ISA_PORTABLE;
    }
#else
    return isa == GLVQ_CPU_ISA_PORTABLE;
#endif
}

glvq_status resolveIsa(glvq_cpu_isa& isa, const char* what)
{
    if (isa == GLVQ_CPU_ISA_AUTO)
        isa = glvq_cpu_best_isa();
    else if (!cpuRuns(isa))
        return glvq_fail(GLVQ_ERR_UNSUPPORTED, std::string(what) + ": this CPU does not run the "
                                                   + glvq_cpu_isa_name(isa) + " instruction set");
    return GLVQ_OK;
}

Groups makeGroups(const glvq_packed_layer& L)
{
    Groups out;
    const std::size_t dd = static_cast<std::size_t>(L.dim) * static_cast<std::size_t>(L.dim);
    out.generators.resize(dd * static_cast<std::size_t>(L.group_count));
    for (std::size_t e = 0; e < out.generators.size(); ++e)
        out.generators[e] = glvq_half_to_float(L.generators[e]);
    out.list.resize(static_cast<std::size_t>(L.group_count));
    for (std::int32_t g = 0; g < L.group_count; ++g) {
        Group& G = out.list[static_cast<std::size_t>(g)];
        G.words = L.words + L.word_offsets[g];
        G.columns = L.columns[g];
        G.bits = L.bits[g];
        G.rowWords = glvq_row_words(G.columns, G.bits);
        G.first = L.first_column[g];
        G.offset = static_cast<float>((1 << G.bits) - 1) * 0.5f;
        const float mu = glvq_half_to_float(L.mu[g]);
        G.companded = mu > 0.0f;
        G.log2Rho = G.companded ? static_cast<float>(std::log2(1.0 + static_cast<double>(mu))) : 0.0f;
        G.invMu = G.companded ? 1.0f / mu : 0.0f;
        G.scale = glvq_half_to_float(L.scale[g]);
        G.generator = out.generators.data() + dd * static_cast<std::size_t>(g);
        out.widestRowWords = std::max(out.widestRowWords, G.rowWords);
    }
    return out;
}

} // namespace glvq_cpu

glvq_cpu_isa glvq_cpu_best_isa()
{
    using glvq_cpu::cpuRuns;
    static const glvq_cpu_isa best = cpuRuns(GLVQ_CPU_ISA_AVX512) ? GLVQ_CPU_ISA_AVX512
                                     : cpuRuns(GLVQ_CPU_ISA_AVX2) ? GLVQ_CPU_ISA_AVX2
                                                                  : GLVQ_CPU_ISA_PORTABLE;
    return best;
}

const char* glvq_cpu_isa_name(glvq_cpu_isa isa)
{
    switch (isa) {
    case GLVQ_CPU_ISA_AUTO: return "auto";
    case GLVQ_CPU_ISA_PORTABLE: return "portable";
    case GLVQ_CPU_ISA_AVX2: return "avx2";
    case GLVQ_CPU_ISA_AVX512: return "avx512";
    }
    return "unknown";
}
