// SPDX-License-Identifier: GPL-3.0-or-later
// CUDA kernels against the fp64 reference (relative error ≤ 1e-3; expected ~1e-6) and the CPU reference, on
// fresh random inputs each run (the seed is printed on failure), outputs poisoned with NaN before every
// launch. Without a usable device every test is skipped with the reason from queryCudaStatus().
#include "kernels/device.h"
#include "kernels/glvq_cuda.h"
#include "kernels/glvq_ref.h"
#include "tests/kernels/kernel_fixtures.h"

#include <gtest/gtest.h>

#include <random>

namespace kt = glvq::kernel_test;

namespace {

class CudaKernels : public ::testing::Test {
protected:
    void SetUp() override
    {
        const auto status = glvq::kernels::queryCudaStatus();
        if (status.devices.empty())
            GTEST_SKIP() << "no usable CUDA device: " << status.reason;
    }
    std::uint64_t freshSeed()
    {
        std::random_device device;
        return (static_cast<std::uint64_t>(device()) << 32) ^ device();
    }
};

// Owning device buffer; failures are test failures.
class DeviceBuffer {
public:
    explicit DeviceBuffer(std::size_t bytes)
        : m_bytes(bytes)
    {
        EXPECT_EQ(glvq_cuda_malloc(&m_ptr, bytes), GLVQ_OK) << glvq_last_error();
    }
    template <typename T>
    DeviceBuffer(const std::vector<T>& host)
        : DeviceBuffer(host.size() * sizeof(T))
    {
        EXPECT_EQ(glvq_cuda_upload(m_ptr, host.data(), m_bytes), GLVQ_OK) << glvq_last_error();
    }
    ~DeviceBuffer() { glvq_cuda_free(m_ptr); }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    template <typename T>
    T* as() const { return static_cast<T*>(m_ptr); }
    void poison() { EXPECT_EQ(glvq_cuda_memset_async(m_ptr, 0xff, m_bytes, nullptr), GLVQ_OK) << glvq_last_error(); }
    template <typename T>
    std::vector<T> download() const
    {
        std::vector<T> host(m_bytes / sizeof(T));
        EXPECT_EQ(glvq_cuda_synchronize(nullptr), GLVQ_OK) << glvq_last_error();
        EXPECT_EQ(glvq_cuda_download(host.data(), m_ptr, m_bytes), GLVQ_OK) << glvq_last_error();
        return host;
    }

private:
    void* m_ptr = nullptr;
    std::size_t m_bytes = 0;
};

struct GpuLayer {
    glvq_gpu_layer* layer = nullptr;
    explicit GpuLayer(const kt::SyntheticLayer& host)
    {
        const auto view = host.view();
        EXPECT_EQ(glvq_gpu_layer_create(&view, &layer), GLVQ_OK) << glvq_last_error();
    }
    ~GpuLayer() { glvq_gpu_layer_destroy(layer); }
};

std::vector<kt::LayerSpec> cudaSpecs(int companding, std::uint64_t seed)
{
    return {
        kt::uniformSpec(1000, 4096, 128, {2, 3, 4, 1}, 8, companding, true, seed),
        kt::uniformSpec(37, 8 * 47, 40, {3, 1, 4, 2, 2}, 8, companding, false, seed + 1),
        kt::uniformSpec(1, 96, 48, {3, 4}, 16, companding, true, seed + 2),
        kt::uniformSpec(300, 384, 96, {2, 3}, 32, companding, true, seed + 3),
        kt::uniformSpec(130, 50, 10, {3, 1}, 2, companding, true, seed + 4),
        kt::uniformSpec(129, 84, 12, {4, 3, 2}, 4, companding, false, seed + 5),
        kt::uniformSpec(45, 45, 13, {4, 2, 3, 1}, 1, companding, true, seed + 6),
    };
}

} // namespace

TEST_F(CudaKernels, GemvAndGemmMatchTheFp64Reference)
{
    for (int companding : {0, 1, 2}) {
        const std::uint64_t seed = freshSeed();
        SCOPED_TRACE("seed " + std::to_string(seed) + ", companding " + std::to_string(companding));
        for (const auto& spec : cudaSpecs(companding, seed)) {
            const auto layer = kt::makeLayer(spec);
            GpuLayer gpu(layer);
            ASSERT_NE(gpu.layer, nullptr);
            const auto w = kt::decodeFp64(layer);
            for (int batch : {1, 2, 3, 5, 8, 13, 16, 17, 33}) {
                const auto x = kt::randomActivations(static_cast<std::size_t>(batch * layer.cols), seed + batch);
                const auto ref = kt::productFp64(w, layer.rows, layer.cols, x, batch);
                DeviceBuffer dx(x);
                DeviceBuffer dy(static_cast<std::size_t>(batch * layer.rows) * sizeof(float));
                dy.poison();
                const glvq_status s = batch == 1 ? glvq_gemv_cuda(gpu.layer, dx.as<float>(), dy.as<float>(), nullptr)
                                                 : glvq_gemm_cuda(gpu.layer, dx.as<float>(), batch, dy.as<float>(), nullptr);
                ASSERT_EQ(s, GLVQ_OK) << glvq_last_error();
                const auto y = dy.download<float>();
                EXPECT_LT(kt::relativeError(y.data(), ref), 1e-3)
                    << "d=" << spec.dim << " rows=" << spec.rows << " cols=" << layer.cols << " batch=" << batch;
                EXPECT_LT(kt::maxRelativeError(y.data(), ref), 1e-3)
                    << "worst output; d=" << spec.dim << " rows=" << spec.rows << " batch=" << batch;
                // A second run may differ only by the order of the atomics (rounding), never by a race.
                dy.poison();
                ASSERT_EQ(glvq_gemm_cuda(gpu.layer, dx.as<float>(), batch, dy.as<float>(), nullptr), GLVQ_OK);
                const auto again = dy.download<float>();
                const std::vector<double> first(y.begin(), y.end());
                EXPECT_LT(kt::relativeError(again.data(), first), 1e-5) << "run-to-run difference";
            }
        }
    }
}

TEST_F(CudaKernels, DecodeMatchesTheFp64Reference)
{
    for (int companding : {0, 1, 2}) {
        const std::uint64_t seed = freshSeed();
        SCOPED_TRACE("seed " + std::to_string(seed));
        for (const auto& spec : cudaSpecs(companding, seed)) {
            const auto layer = kt::makeLayer(spec);
            GpuLayer gpu(layer);
            DeviceBuffer out(static_cast<std::size_t>(layer.rows * layer.cols) * sizeof(float));
            out.poison();
            ASSERT_EQ(glvq_decode_cuda(gpu.layer, out.as<float>(), nullptr), GLVQ_OK) << glvq_last_error();
            const auto w = out.download<float>();
            EXPECT_LT(kt::relativeError(w.data(), kt::decodeFp64(layer)), 1e-3) << "d=" << spec.dim;
        }
    }
}

TEST_F(CudaKernels, BabaiEncodeMatchesTheCpuReferenceExceptAtTies)
{
    const std::uint64_t seed = freshSeed();
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0.0f, 0.05f);
    for (int d : {8, 16, 32, 2}) {
        auto spec = kt::uniformSpec(200, 128 * 6, 128, {2, 3, 4, 1}, d, 2, true, seed);
        const auto layer = kt::makeLayer(spec);
        std::vector<float> gInv, mu, scale, rowScales;
        for (std::size_t g = 0; g < layer.columns.size(); ++g) {
            for (int a = 0; a < d; ++a) // any well-conditioned matrix will do for the comparison
                for (int b = 0; b < d; ++b)
                    gInv.push_back((a == b ? 1.6f : 0.0f) + 0.2f * normal(rng));
            mu.push_back(glvq_half_to_float(layer.mu[g]));
            scale.push_back(glvq_half_to_float(layer.scale[g]));
        }
        for (auto r : layer.rowScales)
            rowScales.push_back(glvq_half_to_float(r));
        std::vector<float> w(static_cast<std::size_t>(layer.rows * layer.cols));
        for (auto& v : w)
            v = normal(rng);
        glvq_encode_params host;
        host.rows = layer.rows;
        host.cols = layer.cols;
        host.dim = d;
        host.group_count = static_cast<std::int32_t>(layer.columns.size());
        host.first_column = layer.firstColumn.data();
        host.columns = layer.columns.data();
        host.bits = layer.bits.data();
        host.generator_inverse = gInv.data();
        host.mu = mu.data();
        host.scale = scale.data();
        host.row_scales = rowScales.data();
        std::vector<std::uint8_t> expected(w.size());
        ASSERT_EQ(glvq_babai_encode_ref(&host, 0, layer.rows, w.data(), layer.cols, expected.data(), layer.cols), GLVQ_OK);
        DeviceBuffer first(layer.firstColumn), columns(layer.columns), bits(layer.bits), dGInv(gInv), dMu(mu),
            dScale(scale), dRows(rowScales), dW(w), dCodes(w.size());
        glvq_encode_params device = host;
        device.first_column = first.as<std::uint32_t>();
        device.columns = columns.as<std::uint32_t>();
        device.bits = bits.as<std::uint8_t>();
        device.generator_inverse = dGInv.as<float>();
        device.mu = dMu.as<float>();
        device.scale = dScale.as<float>();
        device.row_scales = dRows.as<float>();
        dCodes.poison();
        ASSERT_EQ(glvq_babai_encode_cuda(&device, dW.as<float>(), dCodes.as<std::uint8_t>(), nullptr), GLVQ_OK)
            << glvq_last_error();
        const auto codes = dCodes.download<std::uint8_t>();
        std::size_t differing = 0;
        for (std::size_t k = 0; k < codes.size(); ++k)
            if (codes[k] != expected[k]) {
                ++differing;
                EXPECT_EQ(std::abs(int(codes[k]) - int(expected[k])), 1) << "index " << k;
            }
        EXPECT_LE(differing, codes.size() / 10000 + 1) << "d=" << d << ": only float-rounding ties may differ";
    }
}

TEST_F(CudaKernels, UnsupportedDimensionsAndBadArgumentsAreReported)
{
    const auto linear = kt::makeLayer(kt::uniformSpec(10, 48, 24, {3, 2}, 3, 0, true, 5));
    const auto companded = kt::makeLayer(kt::uniformSpec(10, 48, 24, {3, 2}, 3, 1, true, 6));
    GpuLayer gLinear(linear), gCompanded(companded);
    const auto x = kt::randomActivations(48, 1);
    DeviceBuffer dx(x), dy(10 * sizeof(float));
    dy.poison();
    ASSERT_EQ(glvq_gemv_cuda(gLinear.layer, dx.as<float>(), dy.as<float>(), nullptr), GLVQ_OK) << glvq_last_error();
    const auto y = dy.download<float>();
    EXPECT_LT(kt::relativeError(y.data(), kt::productFp64(kt::decodeFp64(linear), 10, 48, x, 1)), 1e-3)
        << "the linear path handles any d";
    EXPECT_EQ(glvq_gemv_cuda(gCompanded.layer, dx.as<float>(), dy.as<float>(), nullptr), GLVQ_ERR_UNSUPPORTED);
    EXPECT_EQ(glvq_decode_cuda(gCompanded.layer, dy.as<float>(), nullptr), GLVQ_ERR_UNSUPPORTED);
    EXPECT_EQ(glvq_decode_cuda(gLinear.layer, dy.as<float>(), nullptr), GLVQ_ERR_UNSUPPORTED);
    EXPECT_EQ(glvq_gemm_cuda(gLinear.layer, dx.as<float>(), 0, dy.as<float>(), nullptr), GLVQ_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(glvq_gemv_cuda(nullptr, dx.as<float>(), dy.as<float>(), nullptr), GLVQ_ERR_INVALID_ARGUMENT);
    glvq_gpu_layer_info info;
    ASSERT_EQ(glvq_gpu_layer_get_info(gLinear.layer, &info), GLVQ_OK);
    EXPECT_TRUE(info.all_linear);
    EXPECT_EQ(info.path, GLVQ_CUDA_PATH_TENSOR_LINEAR);
    EXPECT_EQ(info.rows, 10);
    EXPECT_GT(info.code_bytes, 0u);
    ASSERT_EQ(glvq_gpu_layer_get_info(gCompanded.layer, &info), GLVQ_OK);
    EXPECT_EQ(info.path, GLVQ_CUDA_PATH_UNSUPPORTED) << "companded d = 3";
    // The path each layer reports is the one glvq_cuda_product_path (and glvq inspect) predicts.
    for (int d : {1, 2, 4, 8, 16, 32}) {
        const auto layerOfD = kt::makeLayer(kt::uniformSpec(10, 64, 32, {2, 3}, d, 1, true, 7));
        GpuLayer gpu(layerOfD);
        ASSERT_EQ(glvq_gpu_layer_get_info(gpu.layer, &info), GLVQ_OK);
        EXPECT_FALSE(info.all_linear);
        EXPECT_EQ(info.path, glvq_cuda_product_path(d, false)) << "d=" << d;
        EXPECT_EQ(info.path, d <= 8 ? GLVQ_CUDA_PATH_TENSOR_COMPANDED : GLVQ_CUDA_PATH_GENERAL) << "d=" << d;
    }
}

TEST(CudaBuild, EntryPointsReportWhyThereIsNoCuda)
{
    const auto status = glvq::kernels::queryCudaStatus();
    if (!status.devices.empty())
        GTEST_SKIP() << "a CUDA device is present";
    const auto layer = kt::makeLayer(kt::uniformSpec(4, 16, 16, {2}, 8, 0, false, 1));
    const auto view = layer.view();
    glvq_gpu_layer* gpu = reinterpret_cast<glvq_gpu_layer*>(0x1);
    const glvq_status s = glvq_gpu_layer_create(&view, &gpu);
    EXPECT_NE(s, GLVQ_OK);
    EXPECT_EQ(gpu, nullptr);
    EXPECT_STRNE(glvq_last_error(), "");
    std::printf("[ info ] without a device: %s (%s)\n", glvq_status_string(s), glvq_last_error());
}
