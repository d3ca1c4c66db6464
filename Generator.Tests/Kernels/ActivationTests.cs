using ModelGen.Kernels;
using Xunit;

namespace ModelGen.Tests.Kernels;

public class ActivationTests
{
    private delegate void Forward(Span<float> x);
    private delegate void Backward(ReadOnlySpan<float> y, Span<float> dy);

    // 37 elements: several full AVX-512 vectors plus a scalar tail.
    private static float[] Inputs(ulong seed, int length = 37)
    {
        var rng = new Rng(seed);
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = rng.NextFloat() * 8f - 4f;
        return x;
    }

    [Fact]
    public void ForwardMatchesScalarFormulas()
    {
        float[] x = Inputs(1);
        float[] relu = (float[])x.Clone(), sig = (float[])x.Clone(), tanh = (float[])x.Clone();
        Activations.Relu(relu);
        Activations.Sigmoid(sig);
        Activations.Tanh(tanh);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(Math.Max(x[i], 0f), relu[i]);
            Assert.Equal(1.0 / (1.0 + Math.Exp(-x[i])), sig[i], 1e-6);
            Assert.Equal(Math.Tanh(x[i]), tanh[i], 1e-6);
        }
    }

    [Fact]
    public void BackwardMatchesFormulas()
    {
        float[] x = Inputs(2), dyIn = Inputs(3);
        float[] y = (float[])x.Clone();
        Activations.Sigmoid(y);
        float[] dy = (float[])dyIn.Clone();
        Activations.SigmoidBackward(y, dy);
        for (int i = 0; i < x.Length; i++) Assert.Equal(dyIn[i] * y[i] * (1 - y[i]), dy[i], 1e-6);

        y = (float[])x.Clone();
        Activations.Tanh(y);
        dy = (float[])dyIn.Clone();
        Activations.TanhBackward(y, dy);
        for (int i = 0; i < x.Length; i++) Assert.Equal(dyIn[i] * (1 - y[i] * y[i]), dy[i], 1e-6);

        y = (float[])x.Clone();
        Activations.Relu(y);
        dy = (float[])dyIn.Clone();
        Activations.ReluBackward(y, dy);
        for (int i = 0; i < x.Length; i++) Assert.Equal(x[i] > 0 ? dyIn[i] : 0f, dy[i]);
    }

    public static TheoryData<string> Names() => new() { "relu", "sigmoid", "tanh" };

    [Theory]
    [MemberData(nameof(Names))]
    public void BackwardMatchesCentralDifferences(string name)
    {
        (Forward f, Backward g) = name switch
        {
            "relu" => ((Forward)Activations.Relu, (Backward)Activations.ReluBackward),
            "sigmoid" => (Activations.Sigmoid, Activations.SigmoidBackward),
            _ => ((Forward)Activations.Tanh, (Backward)Activations.TanhBackward),
        };
        float[] x = Inputs(4);
        for (int i = 0; i < x.Length; i++)
            if (Math.Abs(x[i]) < 0.01f) x[i] = 0.5f; // keep away from ReLU's kink
        float[] y = (float[])x.Clone();
        f(y);
        float[] grad = new float[x.Length];
        Array.Fill(grad, 1f);
        g(y, grad);

        const float h = 1e-3f;
        float[] plus = new float[x.Length], minus = new float[x.Length];
        for (int i = 0; i < x.Length; i++) { plus[i] = x[i] + h; minus[i] = x[i] - h; }
        f(plus);
        f(minus);
        for (int i = 0; i < x.Length; i++)
        {
            double numeric = ((double)plus[i] - minus[i]) / ((double)(x[i] + h) - (x[i] - h));
            Assert.True(Math.Abs(numeric - grad[i]) < 1e-3, $"{name} at x={x[i]}: numeric {numeric}, analytic {grad[i]}");
        }
    }

    [Fact]
    public void SoftmaxRowsSumToOneAndMatchFormula()
    {
        const int rows = 3, cols = 19;
        float[] x = Inputs(5, rows * cols + 4);
        float[] original = (float[])x.Clone();
        Activations.SoftmaxRows(x, rows, cols);
        for (int r = 0; r < rows; r++)
        {
            double denom = 0;
            for (int c = 0; c < cols; c++) denom += Math.Exp(original[r * cols + c]);
            double sum = 0;
            for (int c = 0; c < cols; c++)
            {
                Assert.Equal(Math.Exp(original[r * cols + c]) / denom, x[r * cols + c], 1e-6);
                sum += x[r * cols + c];
            }
            Assert.Equal(1.0, sum, 1e-5);
        }
        for (int i = rows * cols; i < x.Length; i++) Assert.Equal(original[i], x[i]);
    }

    [Fact]
    public void SoftmaxIsStableForLargeInputs()
    {
        float[] x = [1000f, 999f, 998f, -1000f];
        Activations.SoftmaxRows(x, 1, 4);
        Assert.All(x, v => Assert.True(float.IsFinite(v)));
        double e1 = Math.Exp(-1), e2 = Math.Exp(-2), z = 1 + e1 + e2;
        Assert.Equal(1 / z, x[0], 1e-6);
        Assert.Equal(e1 / z, x[1], 1e-6);
        Assert.Equal(e2 / z, x[2], 1e-6);
        Assert.Equal(0.0, x[3], 1e-12);
    }

    [Fact]
    public void MismatchedLengthsThrow()
    {
        Assert.Throws<ArgumentException>(() => Activations.ReluBackward(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => Activations.SoftmaxRows(new float[5], 2, 3));
    }
}
