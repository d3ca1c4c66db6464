using ModelGen.Kernels;
using Xunit;

namespace ModelGen.Tests.Kernels;

public class AllocationTests
{
    // Each kernel is called once to warm up (JIT, static init), then measured: the thread's
    // allocated-byte counter must not move across the second call.
    private static void AssertNoAllocation(string name, Action call)
    {
        call();
        long before = GC.GetAllocatedBytesForCurrentThread();
        call();
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(before == after, $"{name} allocated {after - before} bytes");
    }

    [Fact]
    public void KernelsDoNotAllocate()
    {
        const int m = 9, n = 37, k = 21;
        var rng = new Rng(1);
        float[] a = GemmTests.Random(rng, 64 * 64), b = GemmTests.Random(rng, 64 * 64), c = new float[64 * 64];
        float[] x = GemmTests.Random(rng, m * n), y = GemmTests.Random(rng, m * n), g = new float[m * n], mask = new float[m * n];
        float[] bias = GemmTests.Random(rng, n);

        // The lambdas are allocated here, outside the measured window; the kernels themselves must not allocate.
        AssertNoAllocation("Multiply", () => Gemm.Multiply(a, b, c, m, n, k, accumulate: true));
        AssertNoAllocation("MultiplyTransposedA", () => Gemm.MultiplyTransposedA(a, b, c, m, n, k));
        AssertNoAllocation("MultiplyTransposedB", () => Gemm.MultiplyTransposedB(a, b, c, m, n, k));
        AssertNoAllocation("GEMV", () => Gemm.MultiplyTransposedB(a, b, c, 1, n, k));
        AssertNoAllocation("Relu", () => Activations.Relu(x));
        AssertNoAllocation("Sigmoid", () => Activations.Sigmoid(x));
        AssertNoAllocation("Tanh", () => Activations.Tanh(x));
        AssertNoAllocation("SoftmaxRows", () => Activations.SoftmaxRows(x, m, n));
        AssertNoAllocation("ReluBackward", () => Activations.ReluBackward(y, g));
        AssertNoAllocation("SigmoidBackward", () => Activations.SigmoidBackward(y, g));
        AssertNoAllocation("TanhBackward", () => Activations.TanhBackward(y, g));
        AssertNoAllocation("AddRows", () => Bias.AddRows(x, bias, m, n));
        AssertNoAllocation("AccumulateRowSums", () => Bias.AccumulateRowSums(x, bias, m, n));
        AssertNoAllocation("SoftmaxCrossEntropy", () => Losses.SoftmaxCrossEntropy(x, y, g, m, n));
        AssertNoAllocation("MeanSquaredError", () => Losses.MeanSquaredError(x, y, g, m, n));
        AssertNoAllocation("DropoutForward", () => Dropout.Forward(x, y, mask, 0.5f, rng));
        AssertNoAllocation("DropoutBackward", () => Dropout.Backward(mask, y, g));
        AssertNoAllocation("NextGaussian", () => rng.NextGaussian());
    }
}
