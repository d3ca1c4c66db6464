using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;

namespace ModelGen.Tests.Behaviour;

/// <summary>
/// A backward pass clears only the gradients of layers that add to theirs; dense layers overwrite their block. So a
/// gradient must not depend on what an earlier pass left in the buffer: the same batch after a different one gives
/// the same bits as the first time.
/// </summary>
public class GradientBufferTests
{
    private static void AssertNoCarryOver(Func<ulong, float[]> gradientsOfBatch)
    {
        float[] first = gradientsOfBatch(1);
        float[] other = gradientsOfBatch(2);
        float[] again = gradientsOfBatch(1);
        Assert.NotEqual(first, other);
        Assert.Equal(first, again);
    }

    [Fact]
    public void Convolution_dropout_and_dense_layers() // ShapesNet: conv (cleared), two dense layers (overwritten)
    {
        var model = new ShapesNet(seed: 1);
        AssertNoCarryOver(seed =>
        {
            model.SeedDropout(7);
            model.ComputeGradients(TestData.Uniform(4 * ShapesNet.InputSize, seed), TestData.OneHot(4, 3, seed), 4);
            return model.Gradients.ToArray();
        });
    }

    [Fact]
    public void Normalization_between_dense_layers() // cleared and overwritten blocks alternate
    {
        var model = new BatchNormNet(seed: 1);
        AssertNoCarryOver(seed =>
        {
            model.ComputeGradients(TestData.Uniform(6 * BatchNormNet.InputSize, seed), TestData.Uniform(6 * 2, seed + 10), 6);
            return model.Gradients.ToArray();
        });
    }

    [Fact]
    public void Recurrent_and_dense_layers()
    {
        var model = new LstmNet(seed: 1);
        AssertNoCarryOver(seed =>
        {
            model.ComputeGradients(TestData.Uniform(4 * 6 * 3, seed), TestData.Uniform(4 * 2, seed + 10), 4);
            return model.Gradients.ToArray();
        });
    }

    [Fact]
    public void Encoder_decoder()
    {
        var model = new LstmSeq2Seq(seed: 1);
        AssertNoCarryOver(seed =>
        {
            model.ComputeGradients(TestData.Uniform(4 * 5 * 3, seed), TestData.Uniform(4 * 4 * 3, seed + 10), TestData.OneHot(4 * 4, 3, seed), 4, 5, 4);
            return model.Gradients.ToArray();
        });
    }
}
