using ModelGen.Optimizers;
using Xunit;

namespace ModelGen.Tests.Optimizers;

/// <summary>
/// The optimizers keep their state out of float's subnormal range (which costs a microcode assist per instruction on
/// Intel cores) without changing any parameter: a decaying moment reaches exact zero, and tiny gradients give the
/// parameters of the unflushed rule, computed in double precision.
/// </summary>
public class SubnormalTests
{
    // Vector body plus scalar tail at every vector width.
    private const int Length = 1003;

    public static TheoryData<string> Optimizers => new() { "adam", "rmsprop", "momentum", "nesterov" };

    private static Optimizer Create(string name) => name switch
    {
        // β2 = 0.5 so that the second moment, too, decays past the smallest normal float within the test's steps.
        "adam" => new Adam(0.01f, beta1: 0.9f, beta2: 0.5f),
        "rmsprop" => new RmsProp(0.01f, rho: 0.9f),
        "momentum" => new Sgd(0.01f, momentum: 0.9f),
        "nesterov" => new Sgd(0.01f, momentum: 0.9f, nesterov: true),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static IEnumerable<float[]> State(Optimizer optimizer) => optimizer switch
    {
        Adam adam => [adam.FirstMoment.ToArray(), adam.SecondMoment.ToArray()],
        RmsProp rmsProp => [rmsProp.MeanSquare.ToArray()],
        Sgd sgd => [sgd.Velocity.ToArray()],
        _ => throw new ArgumentOutOfRangeException(nameof(optimizer)),
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void StateOfAZeroGradient_DecaysToZero_NotToASubnormal(string name)
    {
        // A dead unit: some steps of real gradients, then zero gradients for good. Unflushed, 0.9·m rounds back to m
        // once m is a few times 2⁻¹⁴⁹, so the state would stay subnormal forever.
        var optimizer = Create(name);
        var rng = new Random(7);
        float[] theta = new float[Length];
        for (int step = 0; step < 5; step++)
        {
            float[] gradient = new float[Length];
            for (int i = 0; i < Length; i++) gradient[i] = (float)(rng.NextDouble() - 0.5);
            optimizer.Step(theta, gradient);
        }

        for (int step = 0; step < 2000; step++)
        {
            optimizer.Step(theta, new float[Length]);
        }

        foreach (float[] state in State(optimizer))
        {
            Assert.All(state, x => Assert.Equal(0f, x));
        }
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void TinyGradients_LeaveNoSubnormalState_AndTheParametersOfTheExactRule(string name)
    {
        // Each element keeps one gradient: some whose products (g², (1 − β)·g, ε·g) underflow, some normal.
        float[] tiny = [1e-39f, -3e-41f, 1e-36f, -2e-20f, 5e-19f, 0f, 0.25f, -0.5f];
        var optimizer = Create(name);
        float[] theta = new float[Length];
        double[] expected = new double[Length];
        var reference = new Reference(name);
        for (int i = 0; i < Length; i++) expected[i] = theta[i] = 0.1f * ((i % 7) - 3);
        for (int step = 1; step <= 20; step++)
        {
            float[] gradient = new float[Length];
            for (int i = 0; i < Length; i++) gradient[i] = tiny[i % tiny.Length];
            optimizer.Step(theta, gradient);
            reference.Step(expected, gradient, step);
        }

        for (int i = 0; i < Length; i++)
        {
            Assert.True(Math.Abs(theta[i] - expected[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])), $"{name} element {i}: expected {expected[i]:R}, got {theta[i]:R}");
        }

        foreach (float[] state in State(optimizer))
        {
            Assert.DoesNotContain(state, float.IsSubnormal);
        }
    }

    /// <summary>The rules of <see cref="Create"/> in double precision, with no flushing.</summary>
    private sealed class Reference(string name)
    {
        private readonly double[] _a = new double[Length];
        private readonly double[] _b = new double[Length];

        public void Step(double[] theta, float[] gradient, int t)
        {
            for (int i = 0; i < Length; i++)
            {
                double g = gradient[i];
                switch (name)
                {
                    case "adam":
                        _a[i] = (0.9 * _a[i]) + (0.1 * g);
                        _b[i] = (0.5 * _b[i]) + (0.5 * g * g);
                        theta[i] -= 0.01 * (_a[i] / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(_b[i] / (1 - Math.Pow(0.5, t))) + 1e-8);
                        break;
                    case "rmsprop":
                        _a[i] = (0.9 * _a[i]) + (0.1 * g * g);
                        theta[i] -= 0.01 * g / (Math.Sqrt(_a[i]) + 1e-7);
                        break;
                    default:
                        _a[i] = (0.9 * _a[i]) - (0.01 * g);
                        theta[i] += name == "nesterov" ? (0.9 * _a[i]) - (0.01 * g) : _a[i];
                        break;
                }
            }
        }
    }
}
