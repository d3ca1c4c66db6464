using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

// A dense layer at batch 1 with its weights packed in × out: y = bias + Σ_j x_j·Wᵀ[j, :]. Every weight is used once,
// so the time is the time to stream them from cache, and this order streams them as one sequential run with one
// broadcast of x per row of Wᵀ. Intel Xeon (this project's machine), medians of nine 100 ms slices, four rounds:
// 64 × 2592 8.2–8.7 µs against 9.8–10.8 for the out × in GEMV (two row streams, one load of x per two of W),
// 128 × 784 5.4–6.2 against 6.5–8.8; with 256-bit vectors (the AVX2 path, same machine) 64 × 2592 12.1–13.1 µs
// against 18.5–19.0. The packing is a copy made once (a model's predictor), since the trained layout stays
// PyTorch's out × in.
public static partial class Linear
{
    /// <summary>Whether <see cref="ForwardPacked"/> runs on this machine (it needs 512- or 256-bit vectors).</summary>
    public static bool PackedSupported => PackedWidth(int.MaxValue) != 0;

    /// <summary>The vector width the packed kernel uses, at most <paramref name="maxWidth"/> bits; 0 when none is accelerated.</summary>
    internal static int PackedWidth(int maxWidth) =>
        maxWidth >= 512 && Vector512.IsHardwareAccelerated ? 512 : maxWidth >= 256 && Vector256.IsHardwareAccelerated ? 256 : 0;

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
    /// <exception cref="PlatformNotSupportedException">Neither 512- nor 256-bit vectors are accelerated (<see cref="PackedSupported"/>).</exception>
    public static void ForwardPacked(ReadOnlySpan<float> x, ReadOnlySpan<float> packed, ReadOnlySpan<float> bias, Span<float> y,
        int units, int inputs, Activation activation)
        => ForwardPackedWidth(x, packed, bias, y, units, inputs, activation, int.MaxValue);

    internal static unsafe void ForwardPackedWidth(ReadOnlySpan<float> x, ReadOnlySpan<float> packed, ReadOnlySpan<float> bias, Span<float> y,
        int units, int inputs, Activation activation, int maxWidth)
    {
        if ((uint)activation > (uint)Activation.Softmax) throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        int width = PackedWidth(maxWidth);
        if (width == 0) throw new PlatformNotSupportedException("Packed dense layers need 512- or 256-bit vectors; use Linear.Forward.");
        KernelChecks.AtLeast(x.Length, inputs, nameof(x));
        KernelChecks.AtLeast(packed.Length, PackedLength(units, inputs), nameof(packed));
        KernelChecks.AtLeast(bias.Length, units, nameof(bias));
        KernelChecks.AtLeast(y.Length, units, nameof(y));
        fixed (float* px = x, pw = packed, pb = bias, py = y)
        {
            bool relu = activation == Activation.ReLU;
            if (width == 512) PackedGemv.Run<Ops512, Vector512<float>>(px, pw, pb, py, units, inputs, PackedStride(units), relu);
            else PackedGemv.Run<Ops256, Vector256<float>>(px, pw, pb, py, units, inputs, PackedStride(units), relu);
        }

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
/// per step into two sets of sums, so eight FMA chains hide the FMA latency) or one (four sets). Generic over the
/// vector width: the rows are padded to 16 floats, a whole number of vectors at either width.
/// </summary>
internal static unsafe class PackedGemv
{
    public static void Run<TOps, TV>(float* x, float* w, float* bias, float* y, int units, int inputs, int stride, bool relu)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int v = TOps.Count;
        for (int c = 0; c < units;)
        {
            int left = units - c;
            if (left >= 8 * v) { Eight<TOps, TV>(x, w + c, bias + c, y + c, inputs, stride, relu); c += 8 * v; }
            else if (left >= 4 * v) { Four<TOps, TV>(x, w + c, bias + c, y + c, inputs, stride, relu); c += 4 * v; }
            else { One<TOps, TV>(x, w + c, bias + c, y + c, inputs, stride, relu, Math.Min(left, v)); c += v; }
        }
    }

    private static void Eight<TOps, TV>(float* x, float* w, float* bias, float* y, int inputs, int stride, bool relu)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int v = TOps.Count;
        TV a0 = Load<TOps, TV>(bias), a1 = Load<TOps, TV>(bias + v), a2 = Load<TOps, TV>(bias + (2 * v)), a3 = Load<TOps, TV>(bias + (3 * v));
        TV a4 = Load<TOps, TV>(bias + (4 * v)), a5 = Load<TOps, TV>(bias + (5 * v)), a6 = Load<TOps, TV>(bias + (6 * v)), a7 = Load<TOps, TV>(bias + (7 * v));
        for (int j = 0; j < inputs; j++, w += stride)
        {
            TV xj = TOps.Broadcast(x[j]);
            a0 = TOps.MultiplyAdd(Load<TOps, TV>(w), xj, a0); a1 = TOps.MultiplyAdd(Load<TOps, TV>(w + v), xj, a1);
            a2 = TOps.MultiplyAdd(Load<TOps, TV>(w + (2 * v)), xj, a2); a3 = TOps.MultiplyAdd(Load<TOps, TV>(w + (3 * v)), xj, a3);
            a4 = TOps.MultiplyAdd(Load<TOps, TV>(w + (4 * v)), xj, a4); a5 = TOps.MultiplyAdd(Load<TOps, TV>(w + (5 * v)), xj, a5);
            a6 = TOps.MultiplyAdd(Load<TOps, TV>(w + (6 * v)), xj, a6); a7 = TOps.MultiplyAdd(Load<TOps, TV>(w + (7 * v)), xj, a7);
        }
        Put<TOps, TV>(a0, y, relu); Put<TOps, TV>(a1, y + v, relu); Put<TOps, TV>(a2, y + (2 * v), relu); Put<TOps, TV>(a3, y + (3 * v), relu);
        Put<TOps, TV>(a4, y + (4 * v), relu); Put<TOps, TV>(a5, y + (5 * v), relu); Put<TOps, TV>(a6, y + (6 * v), relu); Put<TOps, TV>(a7, y + (7 * v), relu);
    }

    private static void Four<TOps, TV>(float* x, float* w, float* bias, float* y, int inputs, int stride, bool relu)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int v = TOps.Count;
        TV a0 = Load<TOps, TV>(bias), a1 = Load<TOps, TV>(bias + v), a2 = Load<TOps, TV>(bias + (2 * v)), a3 = Load<TOps, TV>(bias + (3 * v));
        TV b0 = TOps.Zero, b1 = TOps.Zero, b2 = TOps.Zero, b3 = TOps.Zero;
        int j = 0;
        for (; j + 1 < inputs; j += 2, w += 2 * stride)
        {
            TV xa = TOps.Broadcast(x[j]), xb = TOps.Broadcast(x[j + 1]);
            float* u = w + stride;
            a0 = TOps.MultiplyAdd(Load<TOps, TV>(w), xa, a0); a1 = TOps.MultiplyAdd(Load<TOps, TV>(w + v), xa, a1);
            a2 = TOps.MultiplyAdd(Load<TOps, TV>(w + (2 * v)), xa, a2); a3 = TOps.MultiplyAdd(Load<TOps, TV>(w + (3 * v)), xa, a3);
            b0 = TOps.MultiplyAdd(Load<TOps, TV>(u), xb, b0); b1 = TOps.MultiplyAdd(Load<TOps, TV>(u + v), xb, b1);
            b2 = TOps.MultiplyAdd(Load<TOps, TV>(u + (2 * v)), xb, b2); b3 = TOps.MultiplyAdd(Load<TOps, TV>(u + (3 * v)), xb, b3);
        }
        if (j < inputs)
        {
            TV xa = TOps.Broadcast(x[j]);
            a0 = TOps.MultiplyAdd(Load<TOps, TV>(w), xa, a0); a1 = TOps.MultiplyAdd(Load<TOps, TV>(w + v), xa, a1);
            a2 = TOps.MultiplyAdd(Load<TOps, TV>(w + (2 * v)), xa, a2); a3 = TOps.MultiplyAdd(Load<TOps, TV>(w + (3 * v)), xa, a3);
        }
        Put<TOps, TV>(TOps.Add(a0, b0), y, relu); Put<TOps, TV>(TOps.Add(a1, b1), y + v, relu);
        Put<TOps, TV>(TOps.Add(a2, b2), y + (2 * v), relu); Put<TOps, TV>(TOps.Add(a3, b3), y + (3 * v), relu);
    }

    /// <summary>One vector of outputs, of which the first <paramref name="count"/> are stored (the rest is padding).</summary>
    private static void One<TOps, TV>(float* x, float* w, float* bias, float* y, int inputs, int stride, bool relu, int count)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int v = TOps.Count;
        float* lanes = stackalloc float[16];
        for (int i = 0; i < v; i++) lanes[i] = i < count ? bias[i] : 0f;
        TV a = Load<TOps, TV>(lanes), b = TOps.Zero, c = TOps.Zero, d = TOps.Zero;
        int j = 0;
        for (; j + 3 < inputs; j += 4, w += 4 * stride)
        {
            a = TOps.MultiplyAdd(Load<TOps, TV>(w), TOps.Broadcast(x[j]), a);
            b = TOps.MultiplyAdd(Load<TOps, TV>(w + stride), TOps.Broadcast(x[j + 1]), b);
            c = TOps.MultiplyAdd(Load<TOps, TV>(w + (2 * stride)), TOps.Broadcast(x[j + 2]), c);
            d = TOps.MultiplyAdd(Load<TOps, TV>(w + (3 * stride)), TOps.Broadcast(x[j + 3]), d);
        }
        for (; j < inputs; j++, w += stride) a = TOps.MultiplyAdd(Load<TOps, TV>(w), TOps.Broadcast(x[j]), a);
        TV sums = TOps.Add(TOps.Add(a, b), TOps.Add(c, d));
        if (relu) sums = TOps.Max(sums, TOps.Zero);
        TOps.Store(sums, ref *lanes);
        for (int i = 0; i < count; i++) y[i] = lanes[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Load<TOps, TV>(float* p) where TOps : struct, IVectorOps<TV> where TV : struct => TOps.Load(ref *p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<TOps, TV>(TV sums, float* y, bool relu) where TOps : struct, IVectorOps<TV> where TV : struct =>
        TOps.Store(relu ? TOps.Max(sums, TOps.Zero) : sums, ref *y);
}
