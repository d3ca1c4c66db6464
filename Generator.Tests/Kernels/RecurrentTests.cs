using ModelGen.Kernels;
using Cell = ModelGen.Tests.Kernels.RecurrentReference.Cell;

namespace ModelGen.Tests.Kernels;

public class RecurrentTests
{
    private const int Steps = 6, Batch = 3;

    public static readonly string[] Variants =
    [
        "rnn-identity", "rnn-sigmoid", "rnn-tanh", "rnn-relu",
        "lstm", "lstm-peephole", "lstm-coupled", "lstm-peephole-coupled",
        "gru-reset-after", "gru-classic",
    ];

    public static TheoryData<string, bool, bool> ForwardCases()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (string v in Variants)
            foreach (bool reverse in new[] { false, true })
                foreach (bool masked in new[] { false, true })
                    data.Add(v, reverse, masked);
        return data;
    }

    // backpropSteps: all (== steps and far above), or truncated to the last 3 / last 1 processed steps.
    public static TheoryData<string, bool, bool, int> BackwardCases()
    {
        var data = new TheoryData<string, bool, bool, int>();
        foreach (string v in Variants)
            foreach (bool reverse in new[] { false, true })
                foreach (bool masked in new[] { false, true })
                    foreach (int bp in new[] { int.MaxValue, 3 })
                        data.Add(v, reverse, masked, bp);
        data.Add("lstm-peephole", true, true, 1);
        data.Add("gru-classic", false, true, 1);
        data.Add("gru-reset-after", true, false, Steps);
        data.Add("rnn-tanh", false, true, Steps);
        return data;
    }

    private static float F(Rng rng, double scale) => (float)((rng.NextDouble() * 2 - 1) * scale);

    private static double[] RandomDoubles(Rng rng, int n, double scale)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = F(rng, scale); // float-exact, so both sides see identical inputs
        return a;
    }

    private static float[] ToFloat(double[] a) => Array.ConvertAll(a, v => (float)v);

    internal static RecurrentReference Make(string variant, bool reverse, bool masked, int seed = 0)
    {
        int index = Array.IndexOf(Variants, variant);
        Assert.True(index >= 0, variant);
        var rng = new Rng((ulong)(index * 1000 + (reverse ? 7 : 0) + (masked ? 13 : 0) + seed * 77 + 1));
        int h = 4 + index % 4;
        string[] parts = variant.Split('-');
        var kind = parts[0] switch { "rnn" => Cell.Rnn, "lstm" => Cell.Lstm, _ => Cell.Gru };
        var probe = new RecurrentReference
        {
            Kind = kind, T = Steps, B = Batch, H = h,
            Pre = [], W = [], Bias = [], Peep = [], H0 = [], C0 = [],
            Peepholes = variant.Contains("peephole"), Coupled = variant.Contains("coupled"),
        };
        int g = probe.G;
        double[]? mask = null;
        if (masked)
        {
            var m = new float[Batch * h];
            Sequences.DrawMask(m, 0.3f, rng);
            mask = Array.ConvertAll(m, v => (double)v);
        }
        return new RecurrentReference
        {
            Kind = kind,
            Activation = kind != Cell.Rnn ? Activation.Tanh : parts[1] switch
            {
                "identity" => Activation.Identity, "sigmoid" => Activation.Sigmoid, "relu" => Activation.ReLU, _ => Activation.Tanh,
            },
            Peepholes = probe.Peepholes,
            Coupled = probe.Coupled,
            ResetAfter = variant == "gru-reset-after",
            Reverse = reverse,
            T = Steps, B = Batch, H = h,
            Pre = RandomDoubles(rng, Steps * Batch * g, 1.0),
            W = RandomDoubles(rng, g * h, 0.6),
            Bias = RandomDoubles(rng, g, 0.3),
            Peep = RandomDoubles(rng, probe.PeepCount, 0.5),
            H0 = RandomDoubles(rng, Batch * h, 0.8),
            C0 = RandomDoubles(rng, Batch * h, 0.8),
            Mask = mask,
        };
    }

    /// <summary>The float buffers of one kernel forward pass (what backward needs).</summary>
    internal sealed class Run
    {
        public required RecurrentReference Ref;
        public required float[] Pre, W, Bias, Peep, H0, C0, Mask, Hidden, Cells, Gates, Workspace;

        public static Run Forward(RecurrentReference r)
        {
            int n = r.T * r.B * r.H;
            var run = new Run
            {
                Ref = r,
                Pre = ToFloat(r.Pre), W = ToFloat(r.W), Bias = ToFloat(r.Bias), Peep = ToFloat(r.Peep),
                H0 = ToFloat(r.H0), C0 = ToFloat(r.C0), Mask = r.Mask is null ? [] : ToFloat(r.Mask),
                Hidden = new float[n], Cells = new float[n],
                Gates = new float[r.Kind switch { Cell.Lstm => r.T * r.B * r.G, Cell.Gru => Gru.GatesLength(r.T, r.B, r.H), _ => 0 }],
                Workspace = new float[r.Kind switch
                {
                    Cell.Rnn => SimpleRnn.WorkspaceLength(r.B, r.H),
                    Cell.Lstm => Lstm.WorkspaceLength(r.B, r.H),
                    _ => Gru.WorkspaceLength(r.B, r.H),
                }],
            };
            run.DoForward();
            return run;
        }

        public void DoForward()
        {
            var r = Ref;
            switch (r.Kind)
            {
                case Cell.Rnn:
                    SimpleRnn.Forward(Pre, W, Bias, H0, Hidden, r.T, r.B, r.H, r.Activation, r.Reverse, Mask);
                    break;
                case Cell.Lstm:
                    Lstm.Forward(Pre, W, Bias, Peep, H0, C0, Gates, Cells, Hidden, r.T, r.B, r.H, r.Peepholes, r.Coupled, r.Reverse, Mask);
                    break;
                default:
                    Gru.Forward(Pre, W, Bias, H0, Gates, Hidden, Workspace, r.T, r.B, r.H, r.ResetAfter, r.Reverse, Mask);
                    break;
            }
        }

        public void DoBackward(float[] dOutput, float[] dPre, float[] dW, float[] dBias, float[] dPeep, float[] dH0, float[] dC0, int backpropSteps)
        {
            var r = Ref;
            switch (r.Kind)
            {
                case Cell.Rnn:
                    SimpleRnn.Backward(Hidden, H0, W, dOutput, dPre, dW, dBias, dH0, Workspace, r.T, backpropSteps, r.B, r.H,
                        r.Activation, r.Reverse, Mask);
                    break;
                case Cell.Lstm:
                    Lstm.Backward(Gates, Cells, Hidden, H0, C0, W, Peep, dOutput, dPre, dW, dBias, dPeep, dH0, dC0, Workspace,
                        r.T, backpropSteps, r.B, r.H, r.Peepholes, r.Coupled, r.Reverse, Mask);
                    break;
                default:
                    Gru.Backward(Gates, Hidden, H0, W, dOutput, dPre, dW, dBias, dH0, Workspace, r.T, backpropSteps, r.B, r.H,
                        r.ResetAfter, r.Reverse, Mask);
                    break;
            }
        }
    }

    [Theory]
    [MemberData(nameof(ForwardCases))]
    public void ForwardMatchesNaiveDoubleReference(string variant, bool reverse, bool masked)
    {
        var r = Make(variant, reverse, masked);
        var run = Run.Forward(r);
        var (hidden, cells) = r.Run(0, r.H0, r.C0);
        AssertClose(hidden, run.Hidden, 2e-5, "hidden");
        if (r.Kind == Cell.Lstm) AssertClose(cells, run.Cells, 2e-5, "cells");
        // The mask must matter when present (guards against a silently ignored mask).
        if (masked)
        {
            var unmasked = Make(variant, reverse, masked);
            unmasked.Mask = null;
            var (plain, _) = unmasked.Run(0, unmasked.H0, unmasked.C0);
            Assert.True(MaxDiff(plain, hidden) > 1e-3, "mask had no effect on the reference");
        }
    }

    [Theory]
    [MemberData(nameof(BackwardCases))]
    public void BackwardMatchesFiniteDifferences(string variant, bool reverse, bool masked, int backpropSteps)
    {
        var r = Make(variant, reverse, masked);
        var run = Run.Forward(r);
        var rng = new Rng(99);
        double[] upstream = RandomDoubles(rng, r.T * r.B * r.H, 1.0);

        const float Offset = 0.25f, Garbage = 999f;
        float[] dOutput = ToFloat(upstream);
        float[] dPre = Filled(r.Pre.Length, Garbage), dH0 = Filled(r.H0.Length, Garbage), dC0 = Filled(r.C0.Length, Garbage);
        float[] dW = Filled(r.W.Length, Offset), dBias = Filled(r.Bias.Length, Offset), dPeep = Filled(r.Peep.Length, Offset);
        run.DoBackward(dOutput, dPre, dW, dBias, dPeep, dH0, dC0, backpropSteps);
        foreach (float[] accumulated in new[] { dW, dBias, dPeep })
            for (int i = 0; i < accumulated.Length; i++) accumulated[i] -= Offset;

        // Truncated graph: the state entering the first back-propagated step is a constant.
        int from = Math.Max(0, r.T - Math.Min(backpropSteps, r.T));
        var (hEnter, cEnter) = r.StateEntering(from);
        Func<double> loss = from == 0 ? () => r.Loss(upstream, 0, r.H0, r.C0) : () => r.Loss(upstream, from, hEnter, cEnter);

        CompareWithFiniteDifferences(r.Pre, dPre, loss, "dPre");
        CompareWithFiniteDifferences(r.W, dW, loss, "dWeightHh");
        CompareWithFiniteDifferences(r.Bias, dBias, loss, "dBiasHh");
        if (r.PeepCount > 0) CompareWithFiniteDifferences(r.Peep, dPeep, loss, "dPeepholes");
        CompareWithFiniteDifferences(r.H0, dH0, loss, "dInitialHidden");
        if (r.Kind == Cell.Lstm) CompareWithFiniteDifferences(r.C0, dC0, loss, "dInitialCell");
        if (from > 0)
        {
            Assert.All(dH0, v => Assert.Equal(0f, v));
            int rowBlock = r.B * r.G;
            for (int s = 0; s < from; s++)
                for (int i = 0; i < rowBlock; i++)
                    Assert.Equal(0f, dPre[r.Time(s) * rowBlock + i]);
        }
    }

    internal static float[] Filled(int n, float value)
    {
        var a = new float[n];
        Array.Fill(a, value);
        return a;
    }

    internal static void CompareWithFiniteDifferences(double[] parameter, float[] gradient, Func<double> loss, string name)
    {
        const double Eps = 1e-5;
        var numeric = new double[parameter.Length];
        for (int i = 0; i < parameter.Length; i++)
        {
            double saved = parameter[i];
            parameter[i] = saved + Eps;
            double plus = loss();
            parameter[i] = saved - Eps;
            double minus = loss();
            parameter[i] = saved;
            numeric[i] = (plus - minus) / (2 * Eps);
        }
        double scale = Math.Max(1.0, numeric.Max(Math.Abs));
        for (int i = 0; i < parameter.Length; i++)
        {
            double error = Math.Abs(gradient[i] - numeric[i]);
            Assert.True(error <= 1e-4 * scale, $"{name}[{i}]: kernel {gradient[i]}, finite difference {numeric[i]} (error {error:g3}, scale {scale:g3})");
        }
    }

    private static double MaxDiff(double[] a, double[] b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    private static void AssertClose(double[] expected, float[] actual, double tolerance, string name)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"{name}[{i}]: expected {expected[i]}, kernel {actual[i]}");
    }

    [Fact]
    public void LectureWorkedExampleThroughSimpleRnn()
    {
        // s_t = U·x_t + W·s_{t−1}, identity, b = 0, s_0 = 0. The caller's input projection pre_t = U·x_t, by hand:
        // U·x1 = (0.9·1 + 0.2·2, 0.4·1 + 0.6·2) = (1.3, 1.6); U·x2 = (0.9·2 + 0.2·1, 0.4·2 + 0.6·1) = (2.0, 1.4).
        float[] pre = [1.3f, 1.6f, 2.0f, 1.4f];
        float[] w = [0.5f, 0.8f, 0.4f, 0.2f]; // weight_hh: row j holds the weights into unit j
        float[] states = new float[4];
        SimpleRnn.Forward(pre, w, new float[2], new float[2], states, 2, 1, 2, Activation.Identity, false, []);
        Assert.Equal(1.3f, states[0], 5);
        Assert.Equal(1.6f, states[1], 5);
        Assert.Equal(3.93f, states[2], 5);
        Assert.Equal(2.24f, states[3], 5);
    }

    [Fact]
    public void ReverseReadsTheSequenceBackwards()
    {
        // Reverse over a sequence equals forward over the time-flipped sequence, stored flipped back.
        var r = Make("lstm-peephole", reverse: true, masked: true);
        var run = Run.Forward(r);
        var flipped = Make("lstm-peephole", reverse: true, masked: true);
        flipped.Reverse = false;
        int block = r.B * r.G;
        for (int t = 0; t < r.T; t++)
            Array.Copy(r.Pre, (r.T - 1 - t) * block, flipped.Pre, t * block, block);
        var forward = Run.Forward(flipped);
        int hb = r.B * r.H;
        for (int t = 0; t < r.T; t++)
            for (int i = 0; i < hb; i++)
                Assert.Equal(run.Hidden[t * hb + i], forward.Hidden[(r.T - 1 - t) * hb + i]);
    }

    [Fact]
    public void InvalidArgumentsThrow()
    {
        float[] big = new float[1000];
        Assert.Throws<ArgumentException>(() => SimpleRnn.Forward(big, big, big, big, big, 2, 2, 3, Activation.Softmax, false, []));
        Assert.Throws<ArgumentException>(() => SimpleRnn.Forward(new float[5], big, big, big, big, 2, 2, 3, Activation.Tanh, false, []));
        Assert.Throws<ArgumentException>(() => SimpleRnn.Forward(big, big, big, big, big, 2, 2, 3, Activation.Tanh, false, new float[5]));
        Assert.Throws<ArgumentException>(() => Lstm.Forward(big, big, big, new float[8], big, big, big, big, big, 2, 2, 3, true, false, false, []));
        Assert.Throws<ArgumentException>(() => Lstm.Backward(big, big, big, big, big, big, big, big, big, big, big, big, big, big,
            new float[11], 2, 2, 2, 3, false, false, false, []));
        Assert.Throws<ArgumentException>(() => Gru.Forward(big, big, big, big, new float[47], big, big, 2, 2, 3, true, false, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gru.Backward(big, big, big, big, big, big, big, big, big, big, 2, -1, 2, 3,
            true, false, []));
    }
}
