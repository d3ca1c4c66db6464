using ModelGen.Kernels;
using Xunit;

namespace ModelGen.Tests.Kernels;

public class PoolingKernelTests
{
    // 16: AVX-512, 8: AVX2, 1: scalar; a path the machine lacks falls back to the next one down.
    public static TheoryData<int, int, int, int, int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int, int, int, int, int>();
        foreach (int width in new[] { 16, 8, 1 })
        {
            data.Add(width, 3, 18, 18, 2, 2, 2); // the shapes CNN
            data.Add(width, 2, 17, 19, 2, 2, 2); // odd sizes: last row and column unused
            data.Add(width, 1, 8, 8, 2, 2, 2);   // fewer outputs per row than one AVX-512 step
            data.Add(width, 2, 40, 34, 2, 2, 2); // several steps and a shifted last step per row
            data.Add(width, 2, 16, 32, 2, 2, 2); // exactly whole steps
            data.Add(width, 2, 9, 11, 3, 2, 1);  // overlapping windows, other window shapes
            data.Add(width, 1, 7, 7, 3, 3, 3);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MaxForwardMatchesReferenceIncludingTies(int width, int channels, int h, int w, int ph, int pw, int stride)
    {
        var s = new PoolShape(channels, h, w, ph, pw, stride, stride);
        const int batch = 3;
        var rng = new Rng((ulong)(channels * 1000 + h * 37 + w + width));
        float[] x = GemmTests.Random(rng, batch * s.InputSize + 5);
        // ReLU-like data: many exact ties at zero, where the first maximum in row-major order must win.
        for (int i = 0; i < x.Length; i += 3) x[i] = 0f;
        for (int i = 1; i < x.Length; i += 7) x[i] = Math.Max(0f, x[i]);
        int count = batch * s.OutputSize;
        var y = new float[count + 4];
        var argmax = new int[count + 4];
        Array.Fill(y, 99f);
        Array.Fill(argmax, -7);

        Pooling.MaxForwardWidth(x, y, argmax, s, batch, width);

        int o = 0, plane = h * w;
        for (int q = 0; q < batch * channels; q++)
            for (int oy = 0; oy < s.OutHeight; oy++)
                for (int ox = 0; ox < s.OutWidth; ox++, o++)
                {
                    int best = -1;
                    float max = float.NegativeInfinity;
                    for (int i = 0; i < ph; i++)
                        for (int j = 0; j < pw; j++)
                        {
                            int at = q * plane + (oy * stride + i) * w + ox * stride + j;
                            if (best < 0 || x[at] > max) { max = x[at]; best = at; }
                        }
                    Assert.True(max == y[o] && best == argmax[o], $"width {width} output {o}: got {y[o]} at {argmax[o]}, want {max} at {best}");
                }
        for (int i = count; i < y.Length; i++)
        {
            Assert.Equal(99f, y[i]);
            Assert.Equal(-7, argmax[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MaxBackwardMatchesClearAndScatter(int width, int channels, int h, int w, int ph, int pw, int stride)
    {
        var s = new PoolShape(channels, h, w, ph, pw, stride, stride);
        const int batch = 3;
        var rng = new Rng((ulong)(channels * 977 + h * 31 + w + width));
        float[] x = GemmTests.Random(rng, batch * s.InputSize);
        for (int i = 0; i < x.Length; i++) x[i] = Math.Max(0f, x[i]); // ReLU outputs: ties at zero
        int count = batch * s.OutputSize;
        var y = new float[count];
        var argmax = new int[count];
        Pooling.MaxForwardWidth(x, y, argmax, s, batch, width);
        float[] dy = GemmTests.Random(rng, count);

        foreach (bool relu in new[] { false, true })
        {
            var want = new float[batch * s.InputSize + 3];
            for (int i = 0; i < count; i++) want[argmax[i]] += relu && !(y[i] > 0f) ? 0f : dy[i];
            for (int i = batch * s.InputSize; i < want.Length; i++) want[i] = 55f;
            var dx = new float[want.Length];
            Array.Fill(dx, 55f);

            Pooling.MaxBackwardWidth(dy, y, argmax, dx, s, batch, relu, width);

            for (int i = 0; i < dx.Length; i++)
                Assert.True(want[i] == dx[i], $"width {width} relu {relu} dx[{i}]: got {dx[i]}, want {want[i]}");
        }
    }

    [Fact]
    public void MaxBackwardReluIsPoolingThenReluBackward()
    {
        var s = new PoolShape(4, 18, 18, 2, 2, 2, 2);
        const int batch = 2;
        var rng = new Rng(77);
        float[] x = GemmTests.Random(rng, batch * s.InputSize);
        for (int i = 0; i < x.Length; i++) x[i] = Math.Max(0f, x[i]);
        var y = new float[batch * s.OutputSize];
        var argmax = new int[y.Length];
        Pooling.MaxForward(x, y, argmax, s, batch);
        float[] dy = GemmTests.Random(rng, y.Length);
        var want = new float[x.Length];
        Pooling.MaxBackward(dy, argmax, want, s, batch);
        Activations.ReluBackward(x, want);
        var got = new float[x.Length];
        Pooling.MaxBackwardRelu(dy, y, argmax, got, s, batch);
        Assert.Equal(want, got);
    }
}
