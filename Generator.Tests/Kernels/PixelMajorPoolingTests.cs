using System.Runtime.Intrinsics.X86;
using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

/// <summary>
/// The pooled convolution written pixel-major (a predictor's input to a dense layer packed in that order): the same
/// values as <see cref="Convolution.ForwardReluMaxPool"/>, bit for bit, with each example's pixels and filters
/// swapped; and a clear refusal where Winograd's kernel does not take the shapes.
/// </summary>
public sealed class PixelMajorPoolingTests
{
    [Theory]
    [InlineData(1, 20, 20, 32, 1)]
    [InlineData(1, 20, 20, 32, 3)]
    [InlineData(3, 12, 13, 32, 2)]
    [InlineData(2, 9, 8, 48, 2)]
    public void Equals_the_channel_major_kernel_transposed(int channels, int height, int width, int filters, int batch)
    {
        var s = new ConvShape(channels, height, width, filters, 3, 3, 1, 1, 0, 0);
        var pool = new PoolShape(filters, s.OutHeight, s.OutWidth, 2, 2, 2, 2);
        Assert.Equal(Avx512F.IsSupported, Convolution.PixelMajorPoolingSupported(s, pool));
        var rng = new Rng((ulong)((channels * 1009) + (height * 97) + filters));
        float[] x = GemmTests.Random(rng, batch * s.InputSize), w = GemmTests.Random(rng, s.WeightCount), bias = GemmTests.Random(rng, filters);
        int pixels = pool.OutHeight * pool.OutWidth, n = batch * pool.OutputSize;
        var got = new float[n + 3];
        Array.Fill(got, 42f);
        if (!Convolution.PixelMajorPoolingSupported(s, pool))
        {
            Assert.Throws<NotSupportedException>(() => Convolution.ForwardReluMaxPoolPixelMajor(x, w, bias, got, s, pool, batch));
            return;
        }

        var channelMajor = new float[n];
        Convolution.ForwardReluMaxPool(x, w, bias, new float[batch * s.OutputSize], channelMajor, new int[n], new float[Convolution.WorkspaceLength(s)], s, pool, batch);
        Convolution.ForwardReluMaxPoolPixelMajor(x, w, bias, got, s, pool, batch);

        for (int b = 0; b < batch; b++)
            for (int f = 0; f < filters; f++)
                for (int p = 0; p < pixels; p++)
                {
                    float want = channelMajor[(b * pool.OutputSize) + (f * pixels) + p], have = got[(b * pool.OutputSize) + (p * filters) + f];
                    Assert.True(BitConverter.SingleToInt32Bits(want) == BitConverter.SingleToInt32Bits(have), $"example {b}, filter {f}, pixel {p}: {have:R} vs {want:R}");
                }
        Assert.All(got[n..], v => Assert.Equal(42f, v));
    }

    [Theory]
    [InlineData(1, 8, 8, 8, 3)] // filters not a multiple of 16
    [InlineData(1, 9, 9, 16, 5)] // 5×5 filters
    public void Shapes_that_winograd_does_not_take_are_refused(int channels, int height, int width, int filters, int kernel)
    {
        var s = new ConvShape(channels, height, width, filters, kernel, kernel, 1, 1, 0, 0);
        var pool = new PoolShape(filters, s.OutHeight, s.OutWidth, 2, 2, 2, 2);
        Assert.False(Convolution.PixelMajorPoolingSupported(s, pool));
        var pooled = new float[pool.OutputSize];
        Assert.Throws<NotSupportedException>(() => Convolution.ForwardReluMaxPoolPixelMajor(new float[s.InputSize], new float[s.WeightCount], new float[filters], pooled, s, pool, 1));
        Assert.All(pooled, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void A_short_output_span_throws()
    {
        var s = new ConvShape(1, 20, 20, 32, 3, 3, 1, 1, 0, 0);
        var pool = new PoolShape(32, 18, 18, 2, 2, 2, 2);
        if (!Convolution.PixelMajorPoolingSupported(s, pool)) return; // refused first (Equals_the_channel_major_kernel_transposed checks that)
        Assert.Throws<ArgumentException>(() => Convolution.ForwardReluMaxPoolPixelMajor(new float[400], new float[288], new float[32], new float[2591], s, pool, 1));
    }
}
