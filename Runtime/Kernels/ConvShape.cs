namespace ModelGen.Kernels;

/// <summary>
/// Static shape of a 2-D convolution over one NCHW example: input C×H×W, F filters of C×KH×KW,
/// strides and symmetric zero padding per axis. Output is F×OutHeight×OutWidth.
/// </summary>
/// <param name="Channels">Input channels C.</param>
/// <param name="Height">Input height H.</param>
/// <param name="Width">Input width W.</param>
/// <param name="Filters">Output channels F.</param>
/// <param name="KernelHeight">Kernel height KH.</param>
/// <param name="KernelWidth">Kernel width KW.</param>
/// <param name="StrideY">Vertical stride.</param>
/// <param name="StrideX">Horizontal stride.</param>
/// <param name="PadY">Zero rows added above and below.</param>
/// <param name="PadX">Zero columns added left and right.</param>
public readonly record struct ConvShape(
    int Channels, int Height, int Width, int Filters, int KernelHeight, int KernelWidth,
    int StrideY, int StrideX, int PadY, int PadX)
{
    /// <summary>(Height + 2·PadY − KernelHeight)/StrideY + 1.</summary>
    public int OutHeight => (Height + 2 * PadY - KernelHeight) / StrideY + 1;

    /// <summary>(Width + 2·PadX − KernelWidth)/StrideX + 1.</summary>
    public int OutWidth => (Width + 2 * PadX - KernelWidth) / StrideX + 1;

    /// <summary>C·H·W: floats of one input example.</summary>
    public int InputSize => Channels * Height * Width;

    /// <summary>F·OutHeight·OutWidth: floats of one output example.</summary>
    public int OutputSize => Filters * OutHeight * OutWidth;

    /// <summary>F·C·KH·KW: floats of the weight tensor.</summary>
    public int WeightCount => Filters * PatchSize;

    /// <summary>C·KH·KW: floats of one receptive field (one im2col column).</summary>
    public int PatchSize => Channels * KernelHeight * KernelWidth;

    /// <summary>True for a 1×1, stride-1, unpadded convolution (a per-pixel matrix product, no im2col needed).</summary>
    public bool IsPointwise => KernelHeight == 1 && KernelWidth == 1 && StrideY == 1 && StrideX == 1 && PadY == 0 && PadX == 0;

    /// <summary>Throws <see cref="ArgumentException"/> for a non-positive size, kernel or stride, a negative
    /// padding, an empty output, or element counts that overflow a span.</summary>
    public void Validate()
    {
        Positive(Channels, nameof(Channels));
        Positive(Height, nameof(Height));
        Positive(Width, nameof(Width));
        Positive(Filters, nameof(Filters));
        Positive(KernelHeight, nameof(KernelHeight));
        Positive(KernelWidth, nameof(KernelWidth));
        Positive(StrideY, nameof(StrideY));
        Positive(StrideX, nameof(StrideX));
        if (PadY < 0) throw new ArgumentException($"PadY must be non-negative but is {PadY}.", nameof(PadY));
        if (PadX < 0) throw new ArgumentException($"PadX must be non-negative but is {PadX}.", nameof(PadX));
        long paddedH = Height + 2L * PadY, paddedW = Width + 2L * PadX;
        if (paddedH < KernelHeight || paddedW < KernelWidth)
            throw new ArgumentException(
                $"Kernel {KernelHeight}×{KernelWidth} does not fit the padded input {paddedH}×{paddedW}: the output would be empty.");
        long outH = (paddedH - KernelHeight) / StrideY + 1, outW = (paddedW - KernelWidth) / StrideX + 1;
        long patch = (long)Channels * KernelHeight * KernelWidth;
        if ((long)Channels * Height * Width > int.MaxValue || Filters * outH * outW > int.MaxValue
            || Filters * patch > int.MaxValue || patch * outH * outW > int.MaxValue || paddedH > int.MaxValue || paddedW > int.MaxValue)
            throw new ArgumentException("Convolution shape is too large: an element count exceeds the largest span length.");
    }

    internal static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentException($"{name} must be positive but is {value}.", name);
    }
}
