// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/fused_glvq_linear.h"

#include "core/util/error.h"
#include "kernels/glvq_cpu.h"
#include "kernels/glvq_cuda.h"
#include "kernels/glvq_ref.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>

#include <algorithm>
#include <limits>
#include <vector>

namespace glvq::pipeline {

namespace {

void check(glvq_status status, const std::string& name, const char* what)
{
    if (status != GLVQ_OK)
        throw Error(name + ": " + what + ": " + glvq_last_error());
}

// The kernels launch on the legacy default stream, which orders them with torch's work only while torch's
// current stream is the default one too (stream id 0). Under another stream (a CUDAStreamGuard) the launch
// could race with torch's producers and consumers of x and y, so that is refused rather than risked.
void requireDefaultStream(const at::Device& device, const std::string& name)
{
    if (!c10::impl::hasDeviceGuardImpl(c10::DeviceType::CUDA))
        return;
    if (c10::impl::getDeviceGuardImpl(c10::DeviceType::CUDA)->getStream(device).id() != 0)
        throw Error(name + ": the fused CUDA kernels run on the default stream; torch's current stream is another");
}

// The calling thread's panel buffer, kept between calls and layers (it grows to the largest panel the thread
// has used): allocated afresh per forward, megabytes come back from the OS zeroed, page by page, every time,
// which cost more than the decode at small batches.
float* threadPanelBuffer(std::size_t floats)
{
    thread_local std::vector<float> buffer;
    if (buffer.size() < floats)
        buffer.resize(floats);
    return buffer.data();
}

} // namespace

FusedGlvqLinear::FusedGlvqLinear(PackedGlvqLayer packed, at::Tensor bias, at::Device device, std::string name,
                                 CpuProductOptions cpu)
    : m_packed(std::move(packed))
    , m_bias(std::move(bias))
    , m_device(device)
    , m_name(std::move(name))
    , m_cpu(cpu)
{
    const auto view = m_packed.view();
    if (glvq_validate_packed(&view, m_packed.words.size()) != GLVQ_OK)
        throw Error(m_name + ": packed layer: " + glvq_last_error());
    if (m_bias.defined())
        m_bias = m_bias.to(m_device, at::kFloat);
    if (m_device.is_cuda()) {
        // Last, so nothing can throw after the device layer exists (the destructor would not run).
        check(glvq_gpu_layer_create(&view, &m_gpu), m_name, "fused CUDA kernels");
        m_packed.words = {}; // the device holds the codes now; keep only the side info on the host
        m_packed.words.shrink_to_fit();
    }
}

FusedGlvqLinear::FusedGlvqLinear(const quant::GlvqLayerCodes& codes, at::Tensor bias, at::Device device,
                                 std::string name, CpuProductOptions cpu)
    : FusedGlvqLinear(packGlvqLayer(codes, name), std::move(bias), device, name, cpu)
{
}

FusedGlvqLinear::~FusedGlvqLinear() { glvq_gpu_layer_destroy(m_gpu); }

at::Tensor FusedGlvqLinear::forward(const at::Tensor& x) const
{
    if (x.size(-1) != inFeatures())
        throw Error(m_name + ": input has " + std::to_string(x.size(-1)) + " features, the layer takes "
                    + std::to_string(inFeatures()));
    auto outputShape = x.sizes().vec();
    outputShape.back() = outFeatures();
    const auto input = x.to(m_device, at::kFloat).reshape({ -1, inFeatures() }).contiguous();
    const auto batch = input.size(0);
    if (batch > std::numeric_limits<std::int32_t>::max())
        throw Error(m_name + ": " + std::to_string(batch) + " input rows in one call; the kernels take at most 2^31 - 1");
    auto output = at::empty({ batch, outFeatures() }, input.options());
    if (batch > 0) {
        if (m_gpu) {
            requireDefaultStream(m_device, m_name);
            check(glvq_gemm_cuda(m_gpu, input.data_ptr<float>(), static_cast<std::int32_t>(batch),
                                 output.data_ptr<float>(), nullptr),
                  m_name, "fused CUDA GEMM");
        } else if (m_cpu.product == CpuProduct::DecodedPanels || (m_cpu.product == CpuProduct::Auto && panelsPay(batch))) {
            multiplyDecodedPanelsCpu(input, output);
        } else {
            multiplyFusedCpu(input, output);
        }
    }
    if (m_bias.defined())
        output.add_(m_bias);
    return output.view(outputShape);
}

bool FusedGlvqLinear::panelsPay(std::int64_t batch) const
{
    // The fused product runs on torch's threads, the panels' GEMM on the BLAS library's: panels only win while
    // torch has one thread and the BLAS more (bench_fused_linear_cpu, docs/kernels.md §2b).
    return batch >= m_cpu.panelBatch && at::get_num_threads() == 1;
}

void FusedGlvqLinear::multiplyFusedCpu(const at::Tensor& input, at::Tensor& output) const
{
    const auto view = m_packed.view();
    const float* in = input.data_ptr<float>();
    float* out = output.data_ptr<float>();
    const auto batch = static_cast<std::int32_t>(input.size(0));
    // Each row's result is independent of the split, so any thread count gives the same bits. A grain of 64
    // rows keeps each thread's per-call set-up (x̂, one pass over the side info) small.
    at::parallel_for(0, outFeatures(), 64, [&](std::int64_t begin, std::int64_t end) {
        check(glvq_gemm_cpu(&view, begin, end, in, batch, out), m_name, "fused CPU GEMM");
    });
}

void FusedGlvqLinear::multiplyDecodedPanelsCpu(const at::Tensor& input, at::Tensor& output) const
{
    // Panels are whole blocks of 16 rows, a multiple of every instruction set's row block (4, 8, 16), so the
    // decoder writes whole registers and threads never share a cache line.
    constexpr std::int64_t kBlock = 16;
    const auto view = m_packed.view();
    const std::int64_t rows = outFeatures();
    const std::int64_t cols = inFeatures();
    // At least one block per torch thread, so that every thread has rows to decode.
    const std::int64_t wanted = std::max<std::int64_t>(m_cpu.panelRows, kBlock * at::get_num_threads());
    const std::int64_t panelRows = std::min(rows, (wanted + kBlock - 1) / kBlock * kBlock);
    // Ŵ[begin:end, :]ᵀ as [cols, panelRows]: at::mm reads it as a plain matrix (leading dimension panelRows).
    float* panelData = threadPanelBuffer(static_cast<std::size_t>(cols * panelRows));
    const auto panel = at::from_blob(panelData, { cols, panelRows }, input.options());
    for (std::int64_t begin = 0; begin < rows; begin += panelRows) {
        const std::int64_t count = std::min(panelRows, rows - begin);
        at::parallel_for(0, (count + kBlock - 1) / kBlock, 1, [&](std::int64_t first, std::int64_t last) {
            const std::int64_t from = begin + first * kBlock;
            const std::int64_t to = std::min(begin + last * kBlock, begin + count);
            check(glvq_decode_transposed_cpu(GLVQ_CPU_ISA_AUTO, &view, from, to, panelData + (from - begin), panelRows),
                  m_name, "CPU decode");
        });
        auto slice = output.narrow(1, begin, count); // row stride `rows`: BLAS takes it as the leading dimension
        at::mm_out(slice, input, panel.narrow(1, 0, count));
    }
}

at::Tensor FusedGlvqLinear::denseWeight() const
{
    auto weight = at::empty({ outFeatures(), inFeatures() }, at::TensorOptions().dtype(at::kFloat).device(m_device));
    if (m_gpu) {
        check(glvq_decode_cuda(m_gpu, weight.data_ptr<float>(), nullptr), m_name, "CUDA decode");
        return weight;
    }
    const auto view = m_packed.view();
    float* out = weight.data_ptr<float>();
    at::parallel_for(0, outFeatures(), 16, [&](std::int64_t begin, std::int64_t end) {
        check(glvq_decode_ref(&view, begin, end, out, inFeatures()), m_name, "decode");
    });
    return weight;
}

std::optional<at::Tensor> FusedGlvqLinear::bias() const
{
    if (m_bias.defined())
        return m_bias;
    return std::nullopt;
}

std::string FusedGlvqLinear::kind() const
{
    // No per-layer numbers here: callers group layers by kind (`glvq bench` prints "42 × glvq d=8, fused ...").
    const std::string prefix = "glvq d=" + std::to_string(m_packed.dim) + ", ";
    if (m_gpu)
        return prefix + "fused CUDA kernel";
    const std::string fused = std::string("fused CPU (") + glvq_cpu_isa_name(glvq_cpu_best_isa()) + ") kernel";
    switch (m_cpu.product) {
    case CpuProduct::Fused: return prefix + fused;
    case CpuProduct::DecodedPanels: return prefix + "decoded CPU panels";
    case CpuProduct::Auto: break;
    }
    return prefix + fused + (at::get_num_threads() == 1 ? ", decoded panels from batch " + std::to_string(m_cpu.panelBatch) : "");
}

} // namespace glvq::pipeline
