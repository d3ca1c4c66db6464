using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;

namespace ModelGen.Tests.Gradients;

/// <summary>Finite-difference checks of the convolutional layers' generated backward passes, batch > 1.</summary>
public class ConvolutionalGradientTests
{
    [Fact]
    public void Conv2D_multi_channel_non_square_kernel() =>
        Check(new RectKernelConvNet(seed: 1), RectKernelConvNet.InputSize, RectKernelConvNet.OutputSize, batch: 3);

    [Fact]
    public void Conv2D_stride_2_same_padding_and_per_axis_stride_and_padding()
    {
        var model = new StridedConvNet(seed: 2);
        const int batch = 3;
        GradientCheck.Assert(model, TestData.Uniform(batch * StridedConvNet.InputSize, 11), TestData.OneHot(batch, 3, 12), batch);
    }

    // Max pooling is not differentiable where two values of a window tie; the seeds are chosen so that no
    // window holds two values closer than the finite-difference step (seed 3 had a gap of 7e-5).
    [Fact]
    public void MaxPool_and_overlapping_AvgPool() =>
        Check(new PoolingNet(seed: 4), PoolingNet.InputSize, PoolingNet.OutputSize, batch: 2);

    // The first layer's gradients straight from the pooled gradient (ReLU and arg-max scatter fused): on the flat
    // grid (four filters) and through the separate kernels (three). ReLU and max pooling have kinks, so the seeds
    // avoid pre-activations within the finite-difference step of zero (ReluPoolNet seed 8 has one 5.6e-6 away, and
    // its bias gradient then differs from the two-sided difference whatever the step).
    [Theory]
    [InlineData(7)]
    [InlineData(9)]
    public void ReLU_convolution_into_max_pooling_as_the_first_layer(int seed) =>
        Check(new ReluPoolNet(seed: seed), ReluPoolNet.InputSize, ReluPoolNet.OutputSize, batch: 3);

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    public void ReLU_convolution_into_max_pooling_as_the_first_layer_odd_filters(int seed) =>
        Check(new ReluPoolOddNet(seed: seed), ReluPoolOddNet.InputSize, ReluPoolOddNet.OutputSize, batch: 3);

    [Fact]
    public void Residual_block() =>
        Check(new ResidualNet(seed: 4), ResidualNet.InputSize, ResidualNet.OutputSize, batch: 2);

    [Fact]
    public void LayerNorm_on_images_and_vectors()
    {
        var model = new LayerNormNet(seed: 5);
        const int batch = 3;
        GradientCheck.Assert(model, TestData.Uniform(batch * LayerNormNet.InputSize, 13), TestData.OneHot(batch, 3, 14), batch);
    }

    [Fact]
    public void BatchNorm_in_training_mode_on_channels_and_features() =>
        Check(new BatchNormNet(seed: 6), BatchNormNet.InputSize, BatchNormNet.OutputSize, batch: 4);

    private static void Check(IModel model, int inputSize, int outputSize, int batch) =>
        GradientCheck.Assert(model, TestData.Uniform(batch * inputSize, 21), TestData.Uniform(batch * outputSize, 22), batch);
}
