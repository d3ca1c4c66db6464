using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

public class RecurrentAllocationTests
{
    private static void AssertNoAllocation(string name, Action call)
    {
        call();
        long before = GC.GetAllocatedBytesForCurrentThread();
        call();
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(before == after, $"{name} allocated {after - before} bytes");
    }

    [Fact]
    public void RecurrentKernelsDoNotAllocate()
    {
        foreach (string variant in RecurrentTests.Variants)
            foreach (bool masked in new[] { false, true })
            {
                var r = RecurrentTests.Make(variant, reverse: masked, masked: masked);
                var run = RecurrentTests.Run.Forward(r);
                float[] dOutput = new float[r.T * r.B * r.H], dPre = new float[r.Pre.Length], dW = new float[r.W.Length];
                float[] dBias = new float[r.Bias.Length], dPeep = new float[r.Peep.Length], dH0 = new float[r.H0.Length], dC0 = new float[r.C0.Length];
                AssertNoAllocation($"{variant} forward", run.DoForward);
                AssertNoAllocation($"{variant} backward", () => run.DoBackward(dOutput, dPre, dW, dBias, dPeep, dH0, dC0, int.MaxValue));
                AssertNoAllocation($"{variant} truncated backward", () => run.DoBackward(dOutput, dPre, dW, dBias, dPeep, dH0, dC0, 2));
            }
    }

    [Fact]
    public void EmbeddingAndSequenceKernelsDoNotAllocate()
    {
        var rng = new Rng(2);
        const int t = 4, b = 3, n = 5;
        float[] tokens = [1, 0, 3, 3], table = GemmTests.Random(rng, 4 * n), y = new float[4 * n], dTable = new float[4 * n];
        float[] x = GemmTests.Random(rng, t * b * n), z = new float[t * b * n], mask = new float[b * n], wide = new float[t * b * 2 * n];
        AssertNoAllocation("Embedding.Forward", () => Embedding.Forward(tokens, table, y, 4, 4, n));
        AssertNoAllocation("Embedding.Backward", () => Embedding.Backward(tokens, y, dTable, 4, 4, n));
        AssertNoAllocation("ToTimeMajor", () => Sequences.ToTimeMajor(x, z, b, t, n));
        AssertNoAllocation("ToBatchMajor", () => Sequences.ToBatchMajor(z, x, b, t, n));
        AssertNoAllocation("Concatenate", () => Sequences.Concatenate(x, z, wide, t * b, n, n));
        AssertNoAllocation("Split", () => Sequences.Split(wide, x, z, t * b, n, n));
        AssertNoAllocation("DropoutForward", () => Sequences.DropoutForward(x, z, mask, 0.3f, rng, t, b, n));
        AssertNoAllocation("DropoutBackward", () => Sequences.DropoutBackward(mask, z, t, b, n));
        AssertNoAllocation("DrawMask", () => Sequences.DrawMask(mask, 0.3f, rng));
    }
}
