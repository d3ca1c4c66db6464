using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

// A dense layer at batch 1 with its weights packed in × out: y = bias + Σ_j x_j·Wᵀ[j, :]. Every weight is used once,
// so the time is the time to stream them from cache, and this order streams them as one sequential run with one
// broadcast of x per row of Wᵀ. Intel Xeon (this project's machine), medians of nine 100 ms slices, four rounds:
// 64 × 2592 8.2–8.7 µs against 9.8–10.8 for the out × in GEMV (two row streams, one load of x per two of W),
// 128 × 784 5.4–6.2 against 6.5–8.8. The packing is a copy made once (a model's predictor), since the trained layout
// stays PyTorch's out × in.
public static partial class Linear
{
    /// <summary>Whether <see cref="ForwardPacked"/> runs on this machine (it needs 512-bit vectors).</summary>
    public static bool PackedSupported => Vector512.IsHardwareAccelerated;

    /// <summary>Floats a packed copy of a units × inputs weight matrix takes: inputs rows of units rounded up to 16.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public static int PackedLength(int units, int inputs) => KernelChecks.Elements(inputs, PackedStride(units));

    private static int PackedStride(int units)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(units);
        return (int)(((long)units + 15) & ~15L);
    }

    /// <summary>
    /// packed[j, o] = weights[o, j]: Wᵀ, each row padded with zeros to a whole number of 16-float vectors. With
    /// <paramref name="channels"/> &gt; 1 the inputs are that many channel-major maps (as Flatten lays out C×H×W) and
    /// the rows go pixel-major instead, row p·channels + c holding input c·pixels + p: the order of
    /// <see cref="Convolution.ForwardReluMaxPoolPixelMajor"/>'s outputs.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short, or <paramref name="inputs"/> is not a multiple of <paramref name="channels"/>.</exception>
    public static void Pack(ReadOnlySpan<float> weights, Span<float> packed, int units, int inputs, int channels = 1)
    {
        int stride = PackedStride(units), length = PackedLength(units, inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        if (inputs % channels != 0) throw new ArgumentException($"{inputs} inputs are not {channels} whole channels.", nameof(channels));
        KernelChecks.AtLeast(weights.Length, KernelChecks.Elements(units, inputs), nameof(weights));
        KernelChecks.AtLeast(packed.Length, length, nameof(packed));
        packed.Slice(0, length).Clear();
        int pixels = inputs / channels;
        for (int o = 0; o < units; o++)
        {
            ReadOnlySpan<float> row = weights.Slice(o * inputs, inputs);
            for (int j = 0; j < inputs; j++)
            {
                int c = j / pixels, p = j - (c * pixels);
                packed[(((p * channels) + c) * stride) + o] = row[j];
            }
        }
    }

    /// <summary>
    /// y[units] = g(x[inputs]·Wᵀ + bias) for one example, W packed by <see cref="Pack"/>. Sums in a different order
    /// from <see cref="Forward"/>, so the results may differ in the last bits.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or <paramref name="activation"/> is unknown.</exception>
    /// <exception cref="PlatformNotSupportedException">512-bit vectors are not accelerated (<see cref="PackedSupported"/>).</exception>
    public static unsafe void ForwardPacked(ReadOnlySpan<float> x, ReadOnlySpan<float> packed, ReadOnlySpan<float> bias, Span<float> y,
        int units, int inputs, Activation activation)
    {
        if ((uint)activation > (uint)Activation.Softmax) throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        if (!PackedSupported) throw new PlatformNotSupportedException("Packed dense layers need 512-bit vectors; use Linear.Forward.");
        KernelChecks.AtLeast(x.Length, inputs, nameof(x));
        KernelChecks.AtLeast(packed.Length, PackedLength(units, inputs), nameof(packed));
        KernelChecks.AtLeast(bias.Length, units, nameof(bias));
        KernelChecks.AtLeast(y.Length, units, nameof(y));
        fixed (float* px = x, pw = packed, pb = bias, py = y)
            PackedGemv.Run(px, pw, pb, py, units, inputs, PackedStride(units), activation == Activation.ReLU);

        Span<float> outputs = y.Slice(0, units);
        switch (activation)
        {
            case Activation.Sigmoid: Activations.Sigmoid(outputs); break;
            case Activation.Tanh: Activations.Tanh(outputs); break;
            case Activation.Softmax: Activations.SoftmaxRows(outputs, 1, units); break;
        }
    }
}

/// <summary>
/// The packed batch-1 product, a block of output vectors at a time: eight (one pass over x), four (two rows of Wᵀ
/// per step into two sets of sums, so eight FMA chains hide the FMA latency) or one (four sets).
/// </summary>
internal static unsafe class PackedGemv
{
    public static void Run(float* x, float* w, float* bias, float* y, int units, int inputs, int stride, bool relu)
    {
        for (int c = 0; c < units;)
        {
            int left = units - c;
            if (left >= 128) { Eight(x, w + c, bias + c, y + c, inputs, stride, relu); c += 128; }
            else if (left >= 64) { Four(x, w + c, bias + c, y + c, inputs, stride, relu); c += 64; }
            else { One(x, w + c, bias + c, y + c, inputs, stride, relu, Math.Min(left, 16)); c += 16; }
        }
    }

    private static void Eight(float* x, float* w, float* bias, float* y, int inputs, int stride, bool relu)
    {
        Vector512<float> a0 = Vector512.Load(bias), a1 = Vector512.Load(bias + 16), a2 = Vector512.Load(bias + 32), a3 = Vector512.Load(bias + 48);
        Vector512<float> a4 = Vector512.Load(bias + 64), a5 = Vector512.Load(bias + 80), a6 = Vector512.Load(bias + 96), a7 = Vector512.Load(bias + 112);
        for (int j = 0; j < inputs; j++, w += stride)
        {
            Vector512<float> xj = Vector512.Create(x[j]);
            a0 = Vector512.FusedMultiplyAdd(Vector512.Load(w), xj, a0); a1 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 16), xj, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 32), xj, a2); a3 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 48), xj, a3);
            a4 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 64), xj, a4); a5 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 80), xj, a5);
            a6 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 96), xj, a6); a7 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 112), xj, a7);
        }
        Put(a0, y, relu); Put(a1, y + 16, relu); Put(a2, y + 32, relu); Put(a3, y + 48, relu);
        Put(a4, y + 64, relu); Put(a5, y + 80, relu); Put(a6, y + 96, relu); Put(a7, y + 112, relu);
    }

    private static void Four(float* x, float* w, float* bias, float* y, int inputs, int stride, bool relu)
    {
        Vector512<float> a0 = Vector512.Load(bias), a1 = Vector512.Load(bias + 16), a2 = Vector512.Load(bias + 32), a3 = Vector512.Load(bias + 48);
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
        int j = 0;
        for (; j + 1 < inputs; j += 2, w += 2 * stride)
        {
            Vector512<float> xa = Vector512.Create(x[j]), xb = Vector512.Create(x[j + 1]);
            float* v = w + stride;
            a0 = Vector512.FusedMultiplyAdd(Vector512.Load(w), xa, a0); a1 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 16), xa, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 32), xa, a2); a3 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 48), xa, a3);
            b0 = Vector512.FusedMultiplyAdd(Vector512.Load(v), xb, b0); b1 = Vector512.FusedMultiplyAdd(Vector512.Load(v + 16), xb, b1);
            b2 = Vector512.FusedMultiplyAdd(Vector512.Load(v + 32), xb, b2); b3 = Vector512.FusedMultiplyAdd(Vector512.Load(v + 48), xb, b3);
        }
        if (j < inputs)
        {
            Vector512<float> xa = Vector512.Create(x[j]);
            a0 = Vector512.FusedMultiplyAdd(Vector512.Load(w), xa, a0); a1 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 16), xa, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 32), xa, a2); a3 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 48), xa, a3);
        }
        Put(a0 + b0, y, relu); Put(a1 + b1, y + 16, relu); Put(a2 + b2, y + 32, relu); Put(a3 + b3, y + 48, relu);
    }

    /// <summary>One vector of outputs, of which the first <paramref name="count"/> are stored (the rest is padding).</summary>
    private static void One(float* x, float* w, float* bias, float* y, int inputs, int stride, bool relu, int count)
    {
        Vector512<float> a = count == 16 ? Vector512.Load(bias) : Partial(bias, count), b = default, c = default, d = default;
        int j = 0;
        for (; j + 3 < inputs; j += 4, w += 4 * stride)
        {
            a = Vector512.FusedMultiplyAdd(Vector512.Load(w), Vector512.Create(x[j]), a);
            b = Vector512.FusedMultiplyAdd(Vector512.Load(w + stride), Vector512.Create(x[j + 1]), b);
            c = Vector512.FusedMultiplyAdd(Vector512.Load(w + (2 * stride)), Vector512.Create(x[j + 2]), c);
            d = Vector512.FusedMultiplyAdd(Vector512.Load(w + (3 * stride)), Vector512.Create(x[j + 3]), d);
        }
        for (; j < inputs; j++, w += stride) a = Vector512.FusedMultiplyAdd(Vector512.Load(w), Vector512.Create(x[j]), a);
        Vector512<float> sums = (a + b) + (c + d);
        if (relu) sums = Vector512.Max(sums, Vector512<float>.Zero);
        if (count == 16)
        {
            sums.Store(y);
            return;
        }

        for (int i = 0; i < count; i++) y[i] = sums.GetElement(i);
    }

    private static Vector512<float> Partial(float* values, int count)
    {
        Vector512<float> v = default;
        for (int i = 0; i < count; i++) v = v.WithElement(i, values[i]);
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector512<float> sums, float* y, bool relu) =>
        (relu ? Vector512.Max(sums, Vector512<float>.Zero) : sums).Store(y);
}
