using ModelGen.Optimizers;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;

namespace ModelGen.Tests.Behaviour;

/// <summary>Zero allocation, determinism and argument checks of generated models.</summary>
public class RobustnessTests
{
    [Fact]
    public void Forward_Backward_and_TrainStep_allocate_nothing_after_warm_up()
    {
        var model = new DropoutSoftmaxNet(seed: 1);
        var inputs = TestData.Uniform(6 * 9, 1);
        var targets = TestData.OneHot(6, 4, 2);
        var outputs = new float[6 * 4];
        var single = new float[4];
        var optimizer = new Adam(1e-3f) { ClipNorm = 1, WeightDecay = 1e-4f };
        // Warm-up (optimizer state, JIT, the kernels' per-thread scratch) and the measurement: Allocations.AfterWarmUp.
        long bytes = Allocations.AfterWarmUp(() =>
        {
            model.Forward(inputs.AsSpan(0, 9), single);
            model.Forward(inputs, outputs, 6);
            model.Backward(targets);
            model.TrainStep(inputs, targets, 6, optimizer);
            model.ComputeLoss(inputs, targets, 6);
        }, runs: 20);

        Assert.Equal(0, bytes);
    }

    [Fact]
    public void Same_seed_gives_identical_weights_and_identical_training()
    {
        float[] Train(int seed, out float lastLoss)
        {
            var model = new DropoutSoftmaxNet(seed);
            var optimizer = new Sgd(0.1f, momentum: 0.9f);
            var inputs = TestData.Uniform(6 * 9, 3);
            var targets = TestData.OneHot(6, 4, 4);
            lastLoss = 0;
            for (var i = 0; i < 25; i++)
            {
                lastLoss = model.TrainStep(inputs, targets, 6, optimizer);
            }

            return model.Parameters.ToArray();
        }

        var first = new DropoutSoftmaxNet(42).Parameters.ToArray();
        var second = new DropoutSoftmaxNet(42).Parameters.ToArray();
        Assert.Equal(first, second); // two separate constructions from the same seed
        Assert.NotEqual(new DropoutSoftmaxNet(42).Parameters.ToArray(), new DropoutSoftmaxNet(43).Parameters.ToArray());
        var a = Train(42, out var lossA);
        var b = Train(42, out var lossB);
        Assert.Equal(a, b);
        Assert.Equal(lossA, lossB);
    }

    [Theory]
    [InlineData(5 * 6, 2 * 3, 5, "targets", "5 × 3 = 15")]
    [InlineData(3 * 6 - 1, 3 * 3, 3, "inputs", "3 × 6 = 18")]
    [InlineData(3 * 6, 3 * 3 + 1, 3, "targets", "3 × 3 = 9")]
    public void Wrong_lengths_throw_naming_the_shapes_and_change_nothing(int inputLength, int targetLength, int batch, string parameter, string expected)
    {
        var model = new LogitsNet(seed: 1);
        var parameters = model.Parameters.ToArray();
        var optimizer = new Sgd(0.1f);

        var error = Assert.ThrowsAny<ArgumentException>(() => model.TrainStep(new float[inputLength], new float[targetLength], batch, optimizer));

        Assert.Equal(parameter, error.ParamName);
        Assert.Contains(expected, error.Message);
        Assert.Equal(parameters, model.Parameters.ToArray());
        Assert.Equal(0, optimizer.Iterations);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(33)]
    public void Batch_size_outside_1_to_max_throws_and_changes_nothing(int batch)
    {
        var model = new LogitsNet(seed: 1);
        var parameters = model.Parameters.ToArray();
        var size = Math.Max(batch, 0);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.TrainStep(new float[size * 6], new float[size * 3], batch, new Sgd(0.1f)));

        Assert.Contains("MaxBatchSize (32)", error.Message);
        Assert.Equal(parameters, model.Parameters.ToArray());
    }

    [Fact]
    public void Single_example_forward_checks_lengths()
    {
        var model = new TinyLinear();
        var error = Assert.ThrowsAny<ArgumentException>(() => model.Forward(new float[3], new float[2]));
        Assert.Equal("input", error.ParamName);
        Assert.Throws<ArgumentException>(() => model.Forward(new float[2], new float[1]));
    }

    [Fact]
    public void Backward_before_any_forward_throws()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new TinyLinear().Backward(new float[2]));
        Assert.Contains("forward pass first", error.Message);
    }
}
