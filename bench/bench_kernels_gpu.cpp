// SPDX-License-Identifier: GPL-3.0-or-later
// GLVQ CUDA kernels against the memory ceiling and cuBLAS, on the shapes of /work/shared/docs/gpu-baseline.md.
// For each shape and 2, 3, 4 bits (d = 8, 128-column groups, row scales, companding off = the linear path):
//   - GEMV µs: CUDA events around each call, median of --iters calls after 10 warm-up calls, each call on the
//     next of several layer copies whose total exceeds 3 x L2, so the codes come from DRAM;
//   - GB/s of the bytes the call must move (codes, side info, x, x̂ written and read once, y zeroed and
//     accumulated) and that as % of the device-to-device copy bandwidth measured in this run;
//   - cuBLAS fp16 GEMV (cublasGemmEx, fp32 accumulate, rotated the same way) and the speed-up;
//   - batch-8 GEMM against cuBLAS batch 8; the relative error of the timed kernel against the CPU reference.
// Then companded layers (tensor cores; d = 8 at 2 and 4 bits, d = 2 at 2 bits) on the two large shapes, and the
// Babai encode of a 4096 x 11008 layer.
// Usage: bench_kernels_gpu [--markdown FILE] [--iters N] [--quick] [--only N K BITS]
// --only times one GLVQ shape and width (GEMV and batch-8 GEMM), e.g. under a profiler.
#include "kernels/glvq_cuda.h"
#include "kernels/glvq_ref.h"
#include "tests/kernels/kernel_fixtures.h"

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace kt = glvq::kernel_test;

#define CHECK_CUDA(call)                                                                                        \
    do {                                                                                                        \
        const cudaError_t e_ = (call);                                                                          \
        if (e_ != cudaSuccess) {                                                                                \
            std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e_));          \
            std::exit(1);                                                                                       \
        }                                                                                                       \
    } while (0)
#define CHECK_CUBLAS(call)                                                                                      \
    do {                                                                                                        \
        const cublasStatus_t s_ = (call);                                                                       \
        if (s_ != CUBLAS_STATUS_SUCCESS) {                                                                      \
            std::fprintf(stderr, "%s:%d %s: cuBLAS status %d\n", __FILE__, __LINE__, #call, static_cast<int>(s_)); \
            std::exit(1);                                                                                       \
        }                                                                                                       \
    } while (0)
#define CHECK_GLVQ(call)                                                                                        \
    do {                                                                                                        \
        if ((call) != GLVQ_OK) {                                                                                \
            std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #call, glvq_last_error());               \
            std::exit(1);                                                                                       \
        }                                                                                                       \
    } while (0)

namespace {

int g_iters = 200;
std::size_t g_l2 = 50u << 20;

// Median µs of `call(k)`, k = 0 .. g_iters − 1, each bracketed by its own pair of events.
double medianUs(const std::function<void(int)>& call)
{
    for (int k = 0; k < 10; ++k)
        call(k);
    std::vector<cudaEvent_t> start(g_iters), stop(g_iters);
    for (int k = 0; k < g_iters; ++k) {
        CHECK_CUDA(cudaEventCreate(&start[k]));
        CHECK_CUDA(cudaEventCreate(&stop[k]));
    }
    for (int k = 0; k < g_iters; ++k) {
        CHECK_CUDA(cudaEventRecord(start[k]));
        call(k);
        CHECK_CUDA(cudaEventRecord(stop[k]));
    }
    CHECK_CUDA(cudaDeviceSynchronize());
    CHECK_CUDA(cudaGetLastError());
    std::vector<double> us(g_iters);
    for (int k = 0; k < g_iters; ++k) {
        float ms = 0;
        CHECK_CUDA(cudaEventElapsedTime(&ms, start[k], stop[k]));
        us[k] = ms * 1e3;
        CHECK_CUDA(cudaEventDestroy(start[k]));
        CHECK_CUDA(cudaEventDestroy(stop[k]));
    }
    std::sort(us.begin(), us.end());
    return us[us.size() / 2];
}

// Copies so that consecutive calls never find their operand in L2: together more than 3 x L2.
int copiesFor(std::size_t bytes) { return static_cast<int>(std::max<std::size_t>(2, (3 * g_l2 + bytes - 1) / bytes)); }

double copyGBs()
{
    const std::size_t bytes = 1u << 30;
    void *a = nullptr, *b = nullptr;
    CHECK_CUDA(cudaMalloc(&a, bytes));
    CHECK_CUDA(cudaMalloc(&b, bytes));
    CHECK_CUDA(cudaMemset(a, 1, bytes));
    const double us = medianUs([&](int) { CHECK_CUDA(cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice)); });
    CHECK_CUDA(cudaFree(a));
    CHECK_CUDA(cudaFree(b));
    return 2.0 * bytes / us / 1e3; // read + write
}

void* upload(const void* host, std::size_t bytes)
{
    void* p = nullptr;
    CHECK_CUDA(cudaMalloc(&p, bytes));
    CHECK_CUDA(cudaMemcpy(p, host, bytes, cudaMemcpyHostToDevice));
    return p;
}

// cuBLAS fp16 Y [batch, n] = X [batch, k] Wᵀ, W [n, k] row-major (column-major k x n: op T), fp32 accumulate.
double cublasUs(cublasHandle_t handle, std::int64_t n, std::int64_t k, int batch)
{
    std::vector<std::uint16_t> block(1u << 22);
    std::mt19937 rng(5);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    for (auto& h : block)
        h = glvq_float_to_half(normal(rng));
    const std::size_t elements = static_cast<std::size_t>(n * k);
    std::vector<std::uint16_t> host(elements);
    for (std::size_t e = 0; e < elements; e += block.size())
        std::memcpy(host.data() + e, block.data(), std::min(block.size(), elements - e) * 2);
    std::vector<void*> w(static_cast<std::size_t>(copiesFor(elements * 2)));
    for (auto& p : w)
        p = upload(host.data(), elements * 2);
    void* x = upload(block.data(), static_cast<std::size_t>(batch * k) * 2);
    void* y = nullptr;
    CHECK_CUDA(cudaMalloc(&y, static_cast<std::size_t>(batch * n) * 2));
    const float alpha = 1.0f, beta = 0.0f;
    const double us = medianUs([&](int c) {
        CHECK_CUBLAS(cublasGemmEx(handle, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(n), batch, static_cast<int>(k),
                                  &alpha, w[c % w.size()], CUDA_R_16F, static_cast<int>(k), x, CUDA_R_16F,
                                  static_cast<int>(k), &beta, y, CUDA_R_16F, static_cast<int>(n), CUBLAS_COMPUTE_32F,
                                  CUBLAS_GEMM_DEFAULT));
    });
    for (void* p : w)
        CHECK_CUDA(cudaFree(p));
    CHECK_CUDA(cudaFree(x));
    CHECK_CUDA(cudaFree(y));
    return us;
}

struct GlvqTiming {
    double gemvUs = 0, gemmUs = 0, gemvBytes = 0, relErr = 0;
};

GlvqTiming glvqTiming(std::int64_t n, std::int64_t k, std::uint8_t bits, int companding, int batch, int dim = 8)
{
    const auto layer = kt::makeLayer(kt::uniformSpec(n, k, 128, {bits}, dim, companding, true, 11 + bits));
    const auto view = layer.view();
    std::vector<glvq_gpu_layer*> copies(1);
    CHECK_GLVQ(glvq_gpu_layer_create(&view, &copies[0]));
    glvq_gpu_layer_info info;
    CHECK_GLVQ(glvq_gpu_layer_get_info(copies[0], &info));
    copies.resize(static_cast<std::size_t>(copiesFor(info.code_bytes)));
    for (std::size_t c = 1; c < copies.size(); ++c)
        CHECK_GLVQ(glvq_gpu_layer_create(&view, &copies[c]));
    const auto x = kt::randomActivations(static_cast<std::size_t>(batch * k), 3);
    auto* dx = static_cast<float*>(upload(x.data(), x.size() * 4));
    float* dy = nullptr;
    CHECK_CUDA(cudaMalloc(&dy, static_cast<std::size_t>(batch * n) * 4));
    GlvqTiming t;
    // Correctness of what is timed: the GPU GEMV against the CPU reference on the first rows.
    CHECK_CUDA(cudaMemset(dy, 0xff, static_cast<std::size_t>(n) * 4));
    CHECK_GLVQ(glvq_gemv_cuda(copies[0], dx, dy, nullptr));
    std::vector<float> y(static_cast<std::size_t>(n)), ref(static_cast<std::size_t>(n));
    CHECK_CUDA(cudaMemcpy(y.data(), dy, y.size() * 4, cudaMemcpyDeviceToHost));
    const std::int64_t checked = std::min<std::int64_t>(n, 256);
    CHECK_GLVQ(glvq_gemv_ref(&view, 0, checked, x.data(), ref.data()));
    double num = 0, den = 0;
    for (std::int64_t i = 0; i < checked; ++i) {
        num += std::isfinite(y[i]) ? (y[i] - ref[i]) * double(y[i] - ref[i]) : INFINITY;
        den += double(ref[i]) * ref[i];
    }
    t.relErr = std::sqrt(num / den);
    t.gemvUs = medianUs([&](int c) { CHECK_GLVQ(glvq_gemv_cuda(copies[c % copies.size()], dx, dy, nullptr)); });
    t.gemmUs = medianUs([&](int c) { CHECK_GLVQ(glvq_gemm_cuda(copies[c % copies.size()], dx, batch, dy, nullptr)); });
    // Bytes one GEMV must move: codes + side info + x + x̂ (written, read at least once) + y (zeroed, accumulated).
    t.gemvBytes = double(info.code_bytes + info.side_bytes) + 4.0 * (double(k) + 2.0 * info.activation_slots + 2.0 * n);
    for (auto* c : copies)
        glvq_gpu_layer_destroy(c);
    CHECK_CUDA(cudaFree(dx));
    CHECK_CUDA(cudaFree(dy));
    return t;
}

double babaiUs(std::int64_t rows, std::int64_t cols)
{
    const auto layer = kt::makeLayer(kt::uniformSpec(rows, cols, 128, {2}, 8, 0, true, 4));
    std::vector<float> gInv, mu, scale, rowScales;
    for (std::size_t g = 0; g < layer.columns.size(); ++g) {
        for (int e = 0; e < 64; ++e)
            gInv.push_back(e % 9 == 0 ? 1.6f : 0.01f * static_cast<float>(e % 7));
        mu.push_back(0.0f);
        scale.push_back(0.05f);
    }
    for (auto r : layer.rowScales)
        rowScales.push_back(glvq_half_to_float(r));
    const auto w = kt::randomActivations(static_cast<std::size_t>(rows * cols), 8);
    glvq_encode_params p;
    p.rows = rows;
    p.cols = cols;
    p.dim = 8;
    p.group_count = static_cast<std::int32_t>(layer.columns.size());
    p.first_column = static_cast<const std::uint32_t*>(upload(layer.firstColumn.data(), layer.firstColumn.size() * 4));
    p.columns = static_cast<const std::uint32_t*>(upload(layer.columns.data(), layer.columns.size() * 4));
    p.bits = static_cast<const std::uint8_t*>(upload(layer.bits.data(), layer.bits.size()));
    p.generator_inverse = static_cast<const float*>(upload(gInv.data(), gInv.size() * 4));
    p.mu = static_cast<const float*>(upload(mu.data(), mu.size() * 4));
    p.scale = static_cast<const float*>(upload(scale.data(), scale.size() * 4));
    p.row_scales = static_cast<const float*>(upload(rowScales.data(), rowScales.size() * 4));
    const auto* dw = static_cast<const float*>(upload(w.data(), w.size() * 4));
    std::uint8_t* codes = nullptr;
    CHECK_CUDA(cudaMalloc(&codes, w.size()));
    return medianUs([&](int) { CHECK_GLVQ(glvq_babai_encode_cuda(&p, dw, codes, nullptr)); }); // freed at exit
}

} // namespace

int main(int argc, char** argv)
{
    std::string markdownPath;
    bool quick = false;
    for (int a = 1; a < argc; ++a) {
        const std::string arg = argv[a];
        if (arg == "--markdown" && a + 1 < argc)
            markdownPath = argv[++a];
        else if (arg == "--iters" && a + 1 < argc)
            g_iters = std::max(100, std::atoi(argv[++a]));
        else if (arg == "--quick")
            quick = true;
        else if (arg == "--only" && a + 3 < argc) {
            const std::int64_t n = std::atoll(argv[a + 1]);
            const std::int64_t k = std::atoll(argv[a + 2]);
            const int bits = std::atoi(argv[a + 3]);
            if (n < 1 || k < 1 || k % 8 != 0 || bits < 1 || bits > 4) {
                std::fprintf(stderr, "bench_kernels_gpu: --only needs N >= 1, K a multiple of 8, BITS 1..4\n");
                return 2;
            }
            const GlvqTiming t = glvqTiming(n, k, static_cast<std::uint8_t>(bits), 0, 8);
            std::printf("%lld x %lld, %d bits: GEMV %.1f us, batch-8 %.1f us, rel err %.1e\n", static_cast<long long>(n),
                        static_cast<long long>(k), bits, t.gemvUs, t.gemmUs, t.relErr);
            return t.relErr <= 1e-3 ? 0 : 1;
        } else {
            std::fprintf(stderr, "usage: %s [--markdown FILE] [--iters N >= 100] [--quick] [--only N K BITS]\n", argv[0]);
            return 2;
        }
    }
    int device = 0;
    CHECK_CUDA(cudaGetDevice(&device));
    cudaDeviceProp prop {};
    CHECK_CUDA(cudaGetDeviceProperties(&prop, device));
    g_l2 = static_cast<std::size_t>(prop.l2CacheSize);
    cublasHandle_t handle = nullptr;
    CHECK_CUBLAS(cublasCreate(&handle));
    const double copy = copyGBs();
    std::string out;
    char line[2048];
    std::snprintf(line, sizeof line,
                  "# GLVQ CUDA kernels on %s (sm_%d%d, %d SMs, L2 %.0f MB)\n\nD2D copy bandwidth (read + write): "
                  "%.0f GB/s. Median of %d calls, CUDA events, operands rotated over > 3 x L2. d = 8, 128-column "
                  "groups, row scales on, companding off (linear path). GB/s = bytes the call must move / time.\n\n"
                  "| W (n x k) | bits | GLVQ us | GB/s | %% copy BW | cuBLAS fp16 us | speed-up | batch-8 GLVQ us | "
                  "batch-8 cuBLAS us | batch-8 speed-up | rel err |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
                  prop.name, prop.major, prop.minor, prop.multiProcessorCount, g_l2 / 1e6, copy, g_iters);
    out += line;
    std::fputs(line, stdout);
    std::vector<std::pair<std::int64_t, std::int64_t>> shapes {{4096, 4096}, {11008, 4096}, {4096, 11008}, {8192, 8192},
                                                               {28672, 8192}, {8192, 28672}, {14336, 4096}};
    if (quick)
        shapes = {{4096, 4096}, {8192, 28672}};
    for (const auto& [n, k] : shapes) {
        const double fp16 = cublasUs(handle, n, k, 1);
        const double fp16b8 = cublasUs(handle, n, k, 8);
        for (std::uint8_t bits : {2, 3, 4}) {
            const GlvqTiming t = glvqTiming(n, k, bits, 0, 8);
            const double gbs = t.gemvBytes / t.gemvUs / 1e3;
            std::snprintf(line, sizeof line, "| %lld x %lld | %d | %.1f | %.0f | %.0f | %.1f | %.2f | %.1f | %.1f | %.2f | %.1e |\n",
                          static_cast<long long>(n), static_cast<long long>(k), bits, t.gemvUs, gbs, 100.0 * gbs / copy,
                          fp16, fp16 / t.gemvUs, t.gemmUs, fp16b8, fp16b8 / t.gemmUs, t.relErr);
            out += line;
            std::fputs(line, stdout);
            std::fflush(stdout);
            if (!(t.relErr <= 1e-3)) {
                std::fprintf(stderr, "bench_kernels_gpu: relative error %.3g above 1e-3: the kernel is wrong\n", t.relErr);
                return 1;
            }
        }
    }
    // Companded layers (the default configuration: learned μ, d = 8; and d = 2): V = Z Gᵀ on tensor cores,
    // one exp2 per weight (the MUFU rate is this path's floor).
    std::snprintf(line, sizeof line, "\nCompanded (mu in [1, 255]), tensor-core path:\n\n| W (n x k) | d | bits | "
                  "GLVQ us | cuBLAS fp16 us | speed-up | batch-8 GLVQ us | batch-8 speed-up | rel err |\n"
                  "|---|---|---|---|---|---|---|---|---|\n");
    out += line;
    std::fputs(line, stdout);
    for (const auto& [n, k] : quick ? std::vector<std::pair<std::int64_t, std::int64_t>> {{8192, 28672}}
                                    : std::vector<std::pair<std::int64_t, std::int64_t>> {{8192, 28672}, {28672, 8192}}) {
        const double fp16 = cublasUs(handle, n, k, 1);
        const double fp16b8 = cublasUs(handle, n, k, 8);
        // d = 2 (the smallest side information, docs/benchmarks.md) runs the same kernel with a block-diagonal B.
        for (const auto& [dim, bits] : {std::pair<int, std::uint8_t> {8, 2}, {8, 4}, {2, 2}}) {
            const GlvqTiming c = glvqTiming(n, k, bits, 1, 8, dim);
            std::snprintf(line, sizeof line, "| %lld x %lld | %d | %d | %.1f | %.1f | %.2f | %.1f | %.2f | %.1e |\n",
                          static_cast<long long>(n), static_cast<long long>(k), dim, bits, c.gemvUs, fp16,
                          fp16 / c.gemvUs, c.gemmUs, fp16b8 / c.gemmUs, c.relErr);
            out += line;
            std::fputs(line, stdout);
            std::fflush(stdout);
            if (!(c.relErr <= 1e-3)) {
                std::fprintf(stderr, "bench_kernels_gpu: companded relative error %.3g above 1e-3: the kernel is wrong\n",
                             c.relErr);
                return 1;
            }
        }
    }
    std::snprintf(line, sizeof line, "Babai encode, 4096 x 11008, d = 8, 2 bits, row scales: %.1f us.\n",
                  babaiUs(4096, 11008));
    out += line;
    std::fputs(line, stdout);
    CHECK_CUBLAS(cublasDestroy(handle));
    if (!markdownPath.empty()) {
        FILE* f = std::fopen(markdownPath.c_str(), "w");
        if (!f || std::fputs(out.c_str(), f) < 0) {
            std::fprintf(stderr, "bench_kernels_gpu: cannot write %s\n", markdownPath.c_str());
            return 1;
        }
        std::fclose(f);
    }
    return 0;
}
