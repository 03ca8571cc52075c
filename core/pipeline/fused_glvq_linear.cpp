// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pipeline/fused_glvq_linear.h"

#include "core/util/error.h"
#include "kernels/glvq_cpu.h"
#include "kernels/glvq_cuda.h"
#include "kernels/glvq_ref.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>


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

} // namespace

FusedGlvqLinear::FusedGlvqLinear(PackedGlvqLayer packed, at::Tensor bias, at::Device device, std::string name)
    : m_packed(std::move(packed))
    , m_bias(std::move(bias))
    , m_device(device)
    , m_name(std::move(name))
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
                                 std::string name)
    : FusedGlvqLinear(packGlvqLayer(codes, name), std::move(bias), device, name)
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
    auto output = at::empty({ batch, outFeatures() }, input.options());
    if (batch > 0) {
        if (m_gpu) {
            requireDefaultStream(m_device, m_name);
            check(glvq_gemm_cuda(m_gpu, input.data_ptr<float>(), static_cast<std::int32_t>(batch),
                                 output.data_ptr<float>(), nullptr),
                  m_name, "fused CUDA GEMM");
        } else {
            const auto view = m_packed.view();
            const float* in = input.data_ptr<float>();
            float* out = output.data_ptr<float>();
            // Each row's result is independent of the split, so any thread count gives the same bits. A grain
            // of 64 rows keeps each thread's per-call set-up (x̂, one pass over the side info) small.
            at::parallel_for(0, outFeatures(), 64, [&](std::int64_t begin, std::int64_t end) {
                check(glvq_gemm_cpu(&view, begin, end, in, static_cast<std::int32_t>(batch), out), m_name,
                      "fused CPU GEMM");
            });
        }
    }
    if (m_bias.defined())
        output.add_(m_bias);
    return output.view(outputShape);
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
    return "glvq d=" + std::to_string(m_packed.dim) + ", fused "
           + (m_gpu ? std::string("CUDA") : std::string("CPU (") + glvq_cpu_isa_name(glvq_cpu_best_isa()) + ")")
           + " kernel";
}

} // namespace glvq::pipeline
