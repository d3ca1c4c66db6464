using ModelGen.Optimizers;
using Xunit;

namespace ModelGen.Tests.Optimizers;

/// <summary>On a long span (vector body + scalar tail), each optimizer matches a plain scalar loop of its rule.</summary>
public class SimdReferenceTests
{
    private const int Length = 1003;
    private const int Steps = 3;

    private static (float[] Theta, float[][] Gradients) Data()
    {
        var rng = new Random(1234);
        float[] theta = new float[Length];
        float[][] grads = new float[Steps][];
        for (int i = 0; i < Length; i++)
        {
            theta[i] = (float)(rng.NextDouble() * 4 - 2);
        }

        for (int k = 0; k < Steps; k++)
        {
            grads[k] = new float[Length];
            for (int i = 0; i < Length; i++)
            {
                grads[k][i] = (float)(rng.NextDouble() * 2 - 1);
            }
        }

        return (theta, grads);
    }

    private static void Run(Optimizer optimizer, Action<float[], float[], int> reference)
    {
        var (theta, grads) = Data();
        float[] expected = (float[])theta.Clone();
        for (int k = 0; k < Steps; k++)
        {
            optimizer.Step(theta, (float[])grads[k].Clone());
            reference(expected, grads[k], k + 1);
        }

        for (int i = 0; i < Length; i++)
        {
            float tolerance = 1e-5f * MathF.Max(1f, MathF.Abs(expected[i]));
            Assert.True(MathF.Abs(expected[i] - theta[i]) <= tolerance, $"element {i}: expected {expected[i]:R}, got {theta[i]:R}");
        }
    }

    [Fact]
    public void Sgd_Plain()
    {
        Run(new Sgd(0.05f), (p, g, _) =>
        {
            for (int i = 0; i < p.Length; i++)
            {
                p[i] -= 0.05f * g[i];
            }
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sgd_Momentum(bool nesterov)
    {
        float[] v = new float[Length];
        Run(new Sgd(0.05f, 0.8f, nesterov), (p, g, _) =>
        {
            for (int i = 0; i < p.Length; i++)
            {
                v[i] = 0.8f * v[i] - 0.05f * g[i];
                p[i] += nesterov ? 0.8f * v[i] - 0.05f * g[i] : v[i];
            }
        });
    }

    [Fact]
    public void RmsProp()
    {
        float[] s = new float[Length];
        Run(new RmsProp(0.01f, 0.9f, 1e-7f), (p, g, _) =>
        {
            for (int i = 0; i < p.Length; i++)
            {
                s[i] = 0.9f * s[i] + 0.1f * g[i] * g[i];
                p[i] -= 0.01f * g[i] / (MathF.Sqrt(s[i]) + 1e-7f);
            }
        });
    }

    [Fact]
    public void Adam()
    {
        double[] m = new double[Length];
        double[] v = new double[Length];
        Run(new Adam(0.01f), (p, g, t) =>
        {
            for (int i = 0; i < p.Length; i++)
            {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                double mHat = m[i] / (1 - Math.Pow(0.9, t));
                double vHat = v[i] / (1 - Math.Pow(0.999, t));
                p[i] = (float)(p[i] - 0.01 * mHat / (Math.Sqrt(vHat) + 1e-8));
            }
        });
    }

    [Fact]
    public void PenaltiesAndClipping_MatchScalarReference()
    {
        // WeightDecay 0.01, L1 0.001, ClipValue 0.5, ClipNorm 5 on plain SGD ε = 0.1.
        var sgd = new Sgd(0.1f) { WeightDecay = 0.01f, L1 = 0.001f, ClipValue = 0.5f, ClipNorm = 5f };
        Run(sgd, (p, gIn, _) =>
        {
            float[] g = (float[])gIn.Clone();
            double sumSquares = 0;
            for (int i = 0; i < p.Length; i++)
            {
                g[i] += 0.01f * p[i] + 0.001f * MathF.Sign(p[i]);
                g[i] = Math.Clamp(g[i], -0.5f, 0.5f);
                sumSquares += (double)g[i] * g[i];
            }

            double norm = Math.Sqrt(sumSquares);
            Assert.True(norm > 5, "test data should exercise norm clipping");
            for (int i = 0; i < p.Length; i++)
            {
                p[i] -= 0.1f * (float)(g[i] * 5 / norm);
            }
        });
    }
}
