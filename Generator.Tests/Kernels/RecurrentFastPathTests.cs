using ModelGen.Kernels;
using Cell = ModelGen.Tests.Kernels.RecurrentReference.Cell;

namespace ModelGen.Tests.Kernels;

/// <summary>
/// The fused LSTM/GRU kernels at sizes that run their vector bodies and tails (H = 17, 40, 64), at batch 1 and in
/// batches, on both recurrent-product paths (row dot products against W for fewer than
/// <see cref="CellKernels.TransposeRows"/> rows, the tiled GEMM on Wᵀ from there on), and on every width: AVX-512,
/// AVX and the scalar fallback, forced through <see cref="CellPath.Forced"/>.
/// </summary>
[Collection(nameof(CellPathCollection))]
public class RecurrentFastPathTests
{
    public static readonly string[] Variants =
        ["lstm", "lstm-peephole", "lstm-coupled", "lstm-peephole-coupled", "gru-reset-after", "gru-classic"];

    public static readonly int[] Widths = [512, 256, 1];

    public static TheoryData<string, int, int, int, int, bool, bool> ForwardCases()
    {
        var data = new TheoryData<string, int, int, int, int, bool, bool>();
        int index = 0;
        foreach (string v in Variants)
            foreach (int h in new[] { 1, 17, 40 })
                foreach ((int t, int b) in new[] { (1, 1), (7, 1), (5, 3) })
                    foreach (int width in Widths)
                    {
                        index++;
                        data.Add(v, h, t, b, width, index % 2 == 0, index % 3 == 0);
                    }
        // Sizes whose recurrent product AVX-512 runs with the state in registers (CellGemv.Gates512), for one row per
        // step and for three (fewer than CellKernels.TransposeRows rows in all).
        foreach (string v in Variants)
            foreach (int h in new[] { 64, 128 })
                foreach ((int t, int b) in new[] { (3, 1), (2, 3) })
                {
                    index++;
                    data.Add(v, h, t, b, 512, index % 2 == 0, index % 3 == 0);
                }
        return data;
    }

    public static TheoryData<string, int, int, int, int, bool, bool, int> BackwardCases()
    {
        var data = new TheoryData<string, int, int, int, int, bool, bool, int>();
        foreach (string v in Variants)
            foreach (int width in Widths)
            {
                data.Add(v, 17, 4, 2, width, false, false, int.MaxValue);
                data.Add(v, 17, 3, 1, width, true, true, int.MaxValue);
                data.Add(v, 9, 5, 2, width, true, false, 2);
            }
        return data;
    }

    private static float F(Rng rng, double scale) => (float)((rng.NextDouble() * 2 - 1) * scale);

    private static double[] RandomDoubles(Rng rng, int n, double scale)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = F(rng, scale);
        return a;
    }

    internal static RecurrentReference Make(string variant, int h, int steps, int batch, bool reverse, bool masked, int seed = 0)
    {
        var rng = new Rng((ulong)(Array.IndexOf(Variants, variant) * 7919 + h * 31 + steps * 7 + batch * 3 + seed + 5));
        var kind = variant.StartsWith("lstm", StringComparison.Ordinal) ? Cell.Lstm : Cell.Gru;
        bool peepholes = variant.Contains("peephole"), coupled = variant.Contains("coupled");
        int g = kind == Cell.Gru ? 3 * h : (coupled ? 3 : 4) * h;
        int peepCount = kind == Cell.Lstm && peepholes ? (coupled ? 2 : 3) * h : 0;
        double[]? mask = null;
        if (masked)
        {
            var m = new float[batch * h];
            Sequences.DrawMask(m, 0.3f, rng);
            mask = Array.ConvertAll(m, x => (double)x);
        }
        // Weights scaled by 1/√H keep the gates away from saturation, so every path matters.
        double ws = 1.5 / Math.Sqrt(h);
        return new RecurrentReference
        {
            Kind = kind, Peepholes = peepholes, Coupled = coupled, ResetAfter = variant == "gru-reset-after", Reverse = reverse,
            T = steps, B = batch, H = h,
            Pre = RandomDoubles(rng, steps * batch * g, 1.0),
            W = RandomDoubles(rng, g * h, ws),
            Bias = RandomDoubles(rng, g, 0.3),
            Peep = RandomDoubles(rng, peepCount, 0.5),
            H0 = RandomDoubles(rng, batch * h, 0.8),
            C0 = RandomDoubles(rng, batch * h, 0.8),
            Mask = mask,
        };
    }

    private static T WithWidth<T>(int width, Func<T> action) => CellPathCollection.WithWidth(width, action);

    [Theory]
    [MemberData(nameof(ForwardCases))]
    public void ForwardMatchesDoubleReference(string variant, int h, int steps, int batch, int width, bool reverse, bool masked)
    {
        var r = Make(variant, h, steps, batch, reverse, masked);
        var run = WithWidth(width, () => RecurrentTests.Run.Forward(r));
        var (hidden, cells) = r.Run(0, r.H0, r.C0);
        AssertClose(hidden, run.Hidden, 2e-5, "hidden");
        if (r.Kind == Cell.Lstm) AssertClose(cells, run.Cells, 2e-5, "cells");
    }

    [Theory]
    [MemberData(nameof(BackwardCases))]
    public void BackwardMatchesFiniteDifferences(string variant, int h, int steps, int batch, int width, bool reverse, bool masked, int backpropSteps)
    {
        var r = Make(variant, h, steps, batch, reverse, masked);
        var rng = new Rng(123);
        double[] upstream = RandomDoubles(rng, r.T * r.B * r.H, 1.0);
        // An LSTM also receives a gradient into its final cell (encoder → decoder).
        double[] finalCell = r.Kind == Cell.Lstm && !masked ? RandomDoubles(rng, r.B * r.H, 1.0) : [];

        const float Offset = 0.25f, Garbage = 999f;
        float[] dOutput = Array.ConvertAll(upstream, v => (float)v);
        float[] dPre = RecurrentTests.Filled(r.Pre.Length, Garbage), dH0 = RecurrentTests.Filled(r.H0.Length, Garbage), dC0 = RecurrentTests.Filled(r.C0.Length, Garbage);
        float[] dW = RecurrentTests.Filled(r.W.Length, Offset), dBias = RecurrentTests.Filled(r.Bias.Length, Offset), dPeep = RecurrentTests.Filled(r.Peep.Length, Offset);
        WithWidth(width, () =>
        {
            var run = RecurrentTests.Run.Forward(r);
            if (finalCell.Length > 0)
                Lstm.Backward(run.Gates, run.Cells, run.Hidden, run.H0, run.C0, run.W, run.Peep, dOutput, dPre, dW, dBias, dPeep, dH0, dC0,
                    run.Workspace, r.T, backpropSteps, r.B, r.H, r.Peepholes, r.Coupled, r.Reverse, run.Mask,
                    Array.ConvertAll(finalCell, v => (float)v));
            else
                run.DoBackward(dOutput, dPre, dW, dBias, dPeep, dH0, dC0, backpropSteps);
            return 0;
        });
        foreach (float[] accumulated in new[] { dW, dBias, dPeep })
            for (int i = 0; i < accumulated.Length; i++) accumulated[i] -= Offset;

        int from = Math.Max(0, r.T - Math.Min(backpropSteps, r.T));
        var (hEnter, cEnter) = r.StateEntering(from);
        int lastTime = r.Time(r.T - 1);
        double Loss()
        {
            var (hidden, cells) = from == 0 ? r.Run(0, r.H0, r.C0) : r.Run(from, hEnter, cEnter);
            double sum = 0;
            for (int i = 0; i < hidden.Length; i++) sum += upstream[i] * hidden[i];
            for (int i = 0; i < finalCell.Length; i++) sum += finalCell[i] * cells[lastTime * r.B * r.H + i];
            return sum;
        }

        RecurrentTests.CompareWithFiniteDifferences(r.Pre, dPre, Loss, "dPre");
        RecurrentTests.CompareWithFiniteDifferences(r.W, dW, Loss, "dWeightHh");
        RecurrentTests.CompareWithFiniteDifferences(r.Bias, dBias, Loss, "dBiasHh");
        if (r.Peep.Length > 0) RecurrentTests.CompareWithFiniteDifferences(r.Peep, dPeep, Loss, "dPeepholes");
        if (from == 0)
        {
            RecurrentTests.CompareWithFiniteDifferences(r.H0, dH0, Loss, "dInitialHidden");
            if (r.Kind == Cell.Lstm) RecurrentTests.CompareWithFiniteDifferences(r.C0, dC0, Loss, "dInitialCell");
        }
        else
        {
            Assert.All(dH0, v => Assert.Equal(0f, v));
        }
    }

    /// <summary>Larger sizes, where finite differences would be slow: every width agrees with the scalar path.</summary>
    [Theory]
    [InlineData("lstm", 64, 6, 5)]
    [InlineData("lstm-peephole", 33, 9, 1)]
    [InlineData("lstm-coupled", 48, 4, 7)]
    [InlineData("gru-reset-after", 64, 6, 5)]
    [InlineData("gru-reset-after", 40, 9, 1)]
    [InlineData("gru-classic", 24, 5, 4)]
    public void WidthsAgreeOnLargerSizes(string variant, int h, int steps, int batch)
    {
        var r = Make(variant, h, steps, batch, reverse: false, masked: false);
        var results = Widths.Select(width => WithWidth(width, () =>
        {
            var run = RecurrentTests.Run.Forward(r);
            var rng = new Rng(7);
            float[] dOutput = Array.ConvertAll(RandomDoubles(rng, r.T * r.B * r.H, 1.0), v => (float)v);
            float[] dPre = new float[r.Pre.Length], dH0 = new float[r.H0.Length], dC0 = new float[r.C0.Length];
            float[] dW = new float[r.W.Length], dBias = new float[r.Bias.Length], dPeep = new float[r.Peep.Length];
            run.DoBackward(dOutput, dPre, dW, dBias, dPeep, dH0, dC0, int.MaxValue);
            return (run.Hidden, dPre, dW, dBias, dH0);
        })).ToArray();
        var (hidden, _) = r.Run(0, r.H0, r.C0);
        for (int w = 0; w < Widths.Length; w++)
        {
            AssertClose(hidden, results[w].Hidden, 2e-5, $"hidden (width {Widths[w]})");
            AssertNear(results[^1].dPre, results[w].dPre, $"dPre (width {Widths[w]})");
            AssertNear(results[^1].dW, results[w].dW, $"dW (width {Widths[w]})");
            AssertNear(results[^1].dBias, results[w].dBias, $"dBias (width {Widths[w]})");
            AssertNear(results[^1].dH0, results[w].dH0, $"dH0 (width {Widths[w]})");
        }
    }

    public static TheoryData<string, int, int, int, bool, bool> BatchOneCases()
    {
        var data = new TheoryData<string, int, int, int, bool, bool>();
        int index = 0;
        foreach (string v in new[] { "lstm", "lstm-peephole", "lstm-coupled", "lstm-peephole-coupled" })
            foreach (int h in new[] { 16, 32, 48, 64, 80, 128 })
                foreach (int steps in new[] { 1, 5 })
                    foreach (int width in Widths)
                    {
                        index++;
                        data.Add(v, h, steps, width, index % 2 == 0, index % 3 == 0);
                    }
        return data;
    }

    /// <summary>Batch 1, fewer steps than the transpose cutoff, H a multiple of 16 up to 64 or 128: the fused bias + product path.</summary>
    [Theory]
    [MemberData(nameof(BatchOneCases))]
    public void BatchOneSmallHiddenMatchesDoubleReference(string variant, int h, int steps, int width, bool reverse, bool masked)
    {
        var r = Make(variant, h, steps, 1, reverse, masked);
        var run = WithWidth(width, () => RecurrentTests.Run.Forward(r));
        var (hidden, cells) = r.Run(0, r.H0, r.C0);
        AssertClose(hidden, run.Hidden, 2e-5, "hidden");
        AssertClose(cells, run.Cells, 2e-5, "cells");
    }

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(128)]
    public void StreamingStepsInPlaceEqualOneSequence(int hs)
    {
        // The generated Step passes the carried state as both the initial and the output state (aliased spans).
        int g = 4 * hs;
        foreach (int width in Widths)
        {
            var r = Make("lstm", hs, 6, 1, reverse: false, masked: false, seed: hs);
            var full = WithWidth(width, () => RecurrentTests.Run.Forward(r));
            float[] h = (float[])full.H0.Clone(), c = (float[])full.C0.Clone(), gates = new float[g];
            for (int t = 0; t < r.T; t++)
            {
                WithWidth(width, () =>
                {
                    Lstm.Forward(full.Pre.AsSpan(t * g, g), full.W, full.Bias, default, h, c, gates, c, h, 1, 1, hs, false, false, false, default);
                    return 0;
                });
                for (int j = 0; j < hs; j++)
                    Assert.True(Math.Abs(full.Hidden[t * hs + j] - h[j]) <= 1e-5f, $"width {width}, step {t}, unit {j}");
            }
        }
    }

    /// <summary>The hidden sizes <see cref="CellGemv.LstmStep512"/> takes.</summary>
    public static TheoryData<string, int, int, int, int, bool> InPlaceCases()
    {
        var data = new TheoryData<string, int, int, int, int, bool>();
        foreach (var width in Widths)
        {
            foreach (var variant in new[] { "lstm", "lstm-peephole", "lstm-coupled" })
            {
                data.Add(variant, 64, 6, 1, width, false); // batch 1: the fused step (plain cell) or Gates512
                data.Add(variant, 64, 6, 1, width, true);
                data.Add(variant, 40, 3, 2, width, false); // batch 2, six rows: row dot products against W
                data.Add(variant, 33, 9, 8, width, true); // the tiled GEMM on Wᵀ (72 rows)
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(InPlaceCases))]
    public void ForwardWithGatesOverPreGivesTheSeparateBits(string variant, int hs, int steps, int batch, int width, bool masked)
    {
        // A generated model projects a sequence's inputs straight into its gate buffer and passes it as both.
        var r = Make(variant, hs, steps, batch, reverse: false, masked, seed: 11);
        int g = (r.Coupled ? 3 : 4) * hs;
        float[] pre = Floats(r.Pre), w = Floats(r.W), bias = Floats(r.Bias), peep = Floats(r.Peep), h0 = Floats(r.H0), c0 = Floats(r.C0);
        float[] mask = r.Mask is null ? [] : Floats(r.Mask);
        var (gates, cells, hidden) = WithWidth(width, () => Run(pre, new float[steps * batch * g]));
        float[] shared = (float[])pre.Clone();
        var (inPlace, inPlaceCells, inPlaceHidden) = WithWidth(width, () => Run(shared, shared));
        Assert.Equal(gates, inPlace);
        Assert.Equal(cells, inPlaceCells);
        Assert.Equal(hidden, inPlaceHidden);
        Assert.Contains(hidden, v => v != 0f);

        (float[], float[], float[]) Run(float[] input, float[] gatesOut)
        {
            float[] c = new float[steps * batch * hs], h = new float[steps * batch * hs];
            Lstm.Forward(input, w, bias, peep, h0, c0, gatesOut, c, h, steps, batch, hs, r.Peepholes, r.Coupled, false, mask);
            return (gatesOut, c, h);
        }
    }

    public static TheoryData<int> FusedStepSizes => new() { 16, 32, 48, 64, 128 };

    private static float[] Floats(double[] values) => values.Select(x => (float)x).ToArray();

    [Theory]
    [MemberData(nameof(FusedStepSizes))]
    public void FusedBatchOneStepGivesTheUnfusedBits(int hs)
    {
        // The plain cell at batch 1 takes CellGemv.LstmStep512 (product and cell update in one pass); a recurrent mask
        // of ones changes nothing numerically but sends the same step through Gates512 and the separate cell loop.
        if (!CellGemv.SupportsGates512(hs) || CellPath.Width != 512) return;
        int g = 4 * hs;
        var r = Make("lstm", hs, 1, 1, reverse: false, masked: false, seed: 3 * hs);
        float[] pre = new float[g];
        for (int j = 0; j < g; j++) pre[j] = (float)Math.Sin(0.37 * j + hs);
        float[] ones = Enumerable.Repeat(1f, hs).ToArray();
        float[] w = Floats(r.W), bias = Floats(r.Bias), h0 = Floats(r.H0), c0 = Floats(r.C0);
        float[] fusedGates = new float[g], fusedC = new float[hs], fusedH = new float[hs];
        float[] plainGates = new float[g], plainC = new float[hs], plainH = new float[hs];
        Lstm.Forward(pre, w, bias, default, h0, c0, fusedGates, fusedC, fusedH, 1, 1, hs, false, false, false, default);
        Lstm.Forward(pre, w, bias, default, h0, c0, plainGates, plainC, plainH, 1, 1, hs, false, false, false, ones);
        Assert.Equal(plainGates, fusedGates);
        Assert.Equal(plainC, fusedC);
        Assert.Equal(plainH, fusedH);
        Assert.Contains(fusedH, v => v != 0f);
    }

    [Theory]
    [MemberData(nameof(FusedStepSizes))]
    public void DescendingUnitBlocksGiveTheSameBits(int hs)
    {
        // A streaming model alternates the order of W_hh's blocks of units between calls, and a batch-1 sequence
        // alternates it between steps: every order must give the bits of the ascending one, at every step.
        if (!CellGemv.SupportsGates512(hs) || CellPath.Width != 512) return;
        const int steps = 5;
        int g = 4 * hs;
        var r = Make("lstm", hs, steps, 1, reverse: false, masked: false, seed: 5 * hs);
        float[] pre = new float[steps * g];
        for (int j = 0; j < pre.Length; j++) pre[j] = (float)Math.Sin(0.29 * j + hs);
        float[] w = Floats(r.W), bias = Floats(r.Bias), h0 = Floats(r.H0), c0 = Floats(r.C0);
        var first = Sequence(descending: false);
        var second = Sequence(descending: true);
        Assert.Equal(first.Gates, second.Gates);
        Assert.Equal(first.Cells, second.Cells);
        Assert.Equal(first.Hidden, second.Hidden);
        Assert.Contains(first.Hidden, v => v != 0f);

        // One step per call, all ascending (the order the first call of a sequence uses at its first step).
        float[] h = (float[])h0.Clone(), c = (float[])c0.Clone(), gates = new float[g];
        for (int t = 0; t < steps; t++)
        {
            Lstm.Forward(pre.AsSpan(t * g, g), w, bias, default, h, c, gates, c, h, 1, 1, hs, false, false, false, default, descending: false);
            Assert.Equal(first.Hidden.AsSpan(t * hs, hs).ToArray(), h);
        }

        (float[] Gates, float[] Cells, float[] Hidden) Sequence(bool descending)
        {
            float[] gatesOut = new float[steps * g], cells = new float[steps * hs], hidden = new float[steps * hs];
            Lstm.Forward(pre, w, bias, default, h0, c0, gatesOut, cells, hidden, steps, 1, hs, false, false, false, default, descending);
            return (gatesOut, cells, hidden);
        }
    }

    public static TheoryData<string, int, int, int, int> StepCases()
    {
        var data = new TheoryData<string, int, int, int, int>();
        foreach (int hs in FusedStepSizes) data.Add("lstm", hs, 1, 1, 512); // the projection formed inside the fused step
        data.Add("lstm", 32, 1, 3, 512);
        data.Add("lstm", 32, 2, 1, 512);
        data.Add("lstm", 17, 1, 1, 512);
        data.Add("lstm-peephole", 32, 1, 1, 512);
        data.Add("lstm-coupled", 32, 1, 1, 512);
        data.Add("lstm", 32, 1, 1, 256);
        data.Add("lstm", 32, 1, 1, 1);
        return data;
    }

    [Theory]
    [MemberData(nameof(StepCases))]
    public void StepGivesTheBitsOfTheProjectionThenOneForwardStep(string variant, int hs, int batch, int inputs, int width)
    {
        // Lstm.Step (a generated model's streaming step) against RecurrentInput.Forward then one step of Lstm.Forward,
        // three steps from a carried state with the block order alternating as a model alternates it.
        var r = Make(variant, hs, 1, batch, reverse: false, masked: false, seed: 7 * hs + inputs);
        int g = Lstm.GateCount(hs, r.Coupled);
        var rng = new Rng((ulong)(hs * 13 + batch * 5 + inputs));
        float[] w = Floats(r.W), bias = Floats(r.Bias), peep = Floats(r.Peep);
        float[] wIh = Floats(RandomDoubles(rng, g * inputs, 1.0)), bIh = Floats(RandomDoubles(rng, g, 0.3));
        float[] h = Floats(r.H0), c = Floats(r.C0), pre = new float[batch * g], gates = new float[batch * g];
        float[] hRef = (float[])h.Clone(), cRef = (float[])c.Clone(), preRef = new float[batch * g], gatesRef = new float[batch * g];
        for (int step = 0; step < 3; step++)
        {
            float[] x = Floats(RandomDoubles(rng, batch * inputs, 1.0));
            bool descending = step % 2 == 1;
            WithWidth(width, () =>
            {
                Lstm.Step(x, wIh, bIh, w, bias, peep, h, c, pre, gates, batch, inputs, hs, r.Peepholes, r.Coupled, descending);
                RecurrentInput.Forward(x, wIh, bIh, preRef, batch, g, inputs);
                Lstm.Forward(preRef, w, bias, peep, hRef, cRef, gatesRef, cRef, hRef, 1, batch, hs, r.Peepholes, r.Coupled, false, default, descending);
                return 0;
            });
            Assert.Equal(hRef, h);
            Assert.Equal(cRef, c);
        }
        Assert.Contains(h, v => v != 0f);
    }

    [Fact]
    public void StepRejectsShortSpansBeforeTouchingTheState()
    {
        // The fused single-input path checks every span the two-kernel path checks, before the carried state changes.
        const int hs = 32, g = 4 * hs;
        var r = Make("lstm", hs, 1, 1, reverse: false, masked: false);
        float[] w = Floats(r.W), bias = Floats(r.Bias), wIh = new float[g], bIh = new float[g];
        float[] h = Floats(r.H0), c = Floats(r.C0), hBefore = (float[])h.Clone(), cBefore = (float[])c.Clone();
        Assert.Throws<ArgumentException>(() => Lstm.Step([0.5f], wIh, bIh, w.AsSpan(0, g * hs - 1), bias, default, h, c, new float[g], new float[g], 1, 1, hs, false, false));
        Assert.Throws<ArgumentException>(() => Lstm.Step([0.5f], wIh.AsSpan(0, g - 1), bIh, w, bias, default, h, c, new float[g], new float[g], 1, 1, hs, false, false));
        Assert.Throws<ArgumentException>(() => Lstm.Step([0.5f], wIh, bIh, w, bias, default, h, c.AsSpan(0, hs - 1), new float[g], new float[g], 1, 1, hs, false, false));
        Assert.Throws<ArgumentException>(() => Lstm.Step(ReadOnlySpan<float>.Empty, wIh, bIh, w, bias, default, h, c, new float[g], new float[g], 1, 1, hs, false, false));
        Assert.Equal(hBefore, h);
        Assert.Equal(cBefore, c);
    }

    [Fact]
    public void StreamingStepsEqualOneSequence()
    {
        // Step-by-step calls (batch 1, one step each, the W3 Step path) reproduce a full-sequence forward pass.
        foreach (int width in Widths)
        {
            var r = Make("lstm", 32, 12, 1, reverse: false, masked: false);
            var full = WithWidth(width, () => RecurrentTests.Run.Forward(r));
            var pre = full.Pre;
            float[] h = (float[])full.H0.Clone(), c = (float[])full.C0.Clone();
            float[] gates = new float[4 * 32], hOut = new float[32], cOut = new float[32];
            for (int t = 0; t < r.T; t++)
            {
                WithWidth(width, () =>
                {
                    Lstm.Forward(pre.AsSpan(t * 128, 128), full.W, full.Bias, default, h, c, gates, cOut, hOut, 1, 1, 32, false, false, false, default);
                    return 0;
                });
                hOut.CopyTo(h);
                cOut.CopyTo(c);
                for (int j = 0; j < 32; j++)
                    Assert.True(Math.Abs(full.Hidden[t * 32 + j] - h[j]) <= 1e-5f, $"width {width}, step {t}, unit {j}");
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 8)]
    [InlineData(5, 1, 128)]
    [InlineData(40, 1, 96)]
    [InlineData(3, 3, 20)]
    [InlineData(40, 65, 48)]
    [InlineData(9, 17, 37)]
    [InlineData(12, 20, 9)]
    public void InputProjectionMatchesNaive(int rows, int inputs, int gates)
    {
        var rng = new Rng((ulong)(rows * 1000 + inputs * 10 + gates));
        float[] x = Array.ConvertAll(RandomDoubles(rng, rows * inputs, 1.0), v => (float)v);
        float[] w = Array.ConvertAll(RandomDoubles(rng, gates * inputs, 1.0), v => (float)v);
        float[] bias = Array.ConvertAll(RandomDoubles(rng, gates, 1.0), v => (float)v);
        float[] dPre = Array.ConvertAll(RandomDoubles(rng, rows * gates, 1.0), v => (float)v);
        var pre = new double[rows * gates];
        var dW = new double[gates * inputs];
        var dB = new double[gates];
        var dX = new double[rows * inputs];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < gates; j++)
            {
                double sum = bias[j];
                for (int i = 0; i < inputs; i++)
                {
                    sum += (double)x[r * inputs + i] * w[j * inputs + i];
                    dW[j * inputs + i] += (double)dPre[r * gates + j] * x[r * inputs + i];
                    dX[r * inputs + i] += (double)dPre[r * gates + j] * w[j * inputs + i];
                }
                pre[r * gates + j] = sum;
                dB[j] += dPre[r * gates + j];
            }
        foreach (int width in Widths)
        {
            float[] p = new float[rows * gates], gw = RecurrentTests.Filled(gates * inputs, 0.5f), gb = RecurrentTests.Filled(gates, 0.5f), gx = RecurrentTests.Filled(rows * inputs, 0.5f);
            WithWidth(width, () =>
            {
                RecurrentInput.Forward(x, w, bias, p, rows, gates, inputs);
                RecurrentInput.Backward(dPre, x, gw, gb, rows, gates, inputs);
                RecurrentInput.InputGradient(dPre, w, gx, rows, gates, inputs, accumulate: true);
                return 0;
            });
            AssertClose(pre, p, 1e-5, $"pre (width {width})");
            AssertClose(Array.ConvertAll(dW, v => v + 0.5), gw, 1e-5, $"dW (width {width})");
            AssertClose(Array.ConvertAll(dB, v => v + 0.5), gb, 1e-5, $"dBias (width {width})");
            AssertClose(Array.ConvertAll(dX, v => v + 0.5), gx, 1e-5, $"dX (width {width})");
            WithWidth(width, () =>
            {
                RecurrentInput.InputGradient(dPre, w, gx, rows, gates, inputs);
                return 0;
            });
            AssertClose(dX, gx, 1e-5, $"dX overwritten (width {width})");
        }
    }

    [Theory]
    [InlineData(1, 5, 3)]
    [InlineData(4, 1, 3)]
    [InlineData(3, 7, 1)]
    [InlineData(1, 1, 1)]
    [InlineData(2, 3, 2)]
    public void TransposesMatchNaiveOnSpecialShapes(int b, int t, int n)
    {
        var rng = new Rng(5);
        float[] batchMajor = Array.ConvertAll(RandomDoubles(rng, b * t * n, 1.0), v => (float)v);
        float[] timeMajor = RecurrentTests.Filled(b * t * n + 3, 7f), back = RecurrentTests.Filled(b * t * n + 3, 7f);
        Sequences.ToTimeMajor(batchMajor, timeMajor, b, t, n);
        for (int ib = 0; ib < b; ib++)
            for (int it = 0; it < t; it++)
                for (int k = 0; k < n; k++)
                    Assert.Equal(batchMajor[(ib * t + it) * n + k], timeMajor[(it * b + ib) * n + k]);
        Assert.Equal(7f, timeMajor[^1]); // nothing past the sequence is written
        Sequences.ToBatchMajor(timeMajor, back, b, t, n);
        Assert.Equal(batchMajor, back.AsSpan(0, b * t * n).ToArray());
        Assert.Equal(7f, back[^1]);
    }

    private static void AssertClose(double[] expected, float[] actual, double tolerance, string name)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"{name}[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    private static void AssertNear(float[] expected, float[] actual, string name)
    {
        double scale = Math.Max(1.0, expected.Max(v => Math.Abs(v)));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * scale, $"{name}[{i}]: scalar path {expected[i]}, got {actual[i]}");
    }
}

/// <summary>Tests that force a kernel width run one at a time.</summary>
[CollectionDefinition(nameof(CellPathCollection), DisableParallelization = true)]
public sealed class CellPathCollection
{
    internal static readonly object Gate = new();

    /// <summary>Runs <paramref name="action"/> with the recurrent kernels forced to <paramref name="width"/> (512, 256 or 1), then restores the default.</summary>
    internal static T WithWidth<T>(int width, Func<T> action)
    {
        lock (Gate)
        {
            CellPath.Forced = width;
            try
            {
                return action();
            }
            finally
            {
                CellPath.Forced = 0;
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> with the recurrent kernels forced to <paramref name="width"/>, then restores the default.</summary>
    internal static void WithWidth(int width, Action action) => WithWidth(width, () =>
    {
        action();
        return 0;
    });
}
