namespace ModelGen.Kernels;

/// <summary>
/// Static shape of an unpadded 2-D pooling over one NCHW example: input C×H×W, window PH×PW,
/// strides per axis. Output is C×OutHeight×OutWidth.
/// </summary>
/// <param name="Channels">Channels C (pooled independently).</param>
/// <param name="Height">Input height H.</param>
/// <param name="Width">Input width W.</param>
/// <param name="PoolHeight">Window height PH.</param>
/// <param name="PoolWidth">Window width PW.</param>
/// <param name="StrideY">Vertical stride.</param>
/// <param name="StrideX">Horizontal stride.</param>
public readonly record struct PoolShape(int Channels, int Height, int Width, int PoolHeight, int PoolWidth, int StrideY, int StrideX)
{
    /// <summary>(Height − PoolHeight)/StrideY + 1.</summary>
    public int OutHeight => (Height - PoolHeight) / StrideY + 1;

    /// <summary>(Width − PoolWidth)/StrideX + 1.</summary>
    public int OutWidth => (Width - PoolWidth) / StrideX + 1;

    /// <summary>C·H·W: floats of one input example.</summary>
    public int InputSize => Channels * Height * Width;

    /// <summary>C·OutHeight·OutWidth: floats of one output example.</summary>
    public int OutputSize => Channels * OutHeight * OutWidth;

    /// <summary>Throws <see cref="ArgumentException"/> for a non-positive value, a window larger than the
    /// input, or an element count that overflows a span.</summary>
    public void Validate()
    {
        ConvShape.Positive(Channels, nameof(Channels));
        ConvShape.Positive(Height, nameof(Height));
        ConvShape.Positive(Width, nameof(Width));
        ConvShape.Positive(PoolHeight, nameof(PoolHeight));
        ConvShape.Positive(PoolWidth, nameof(PoolWidth));
        ConvShape.Positive(StrideY, nameof(StrideY));
        ConvShape.Positive(StrideX, nameof(StrideX));
        if (PoolHeight > Height || PoolWidth > Width)
            throw new ArgumentException(
                $"Pool window {PoolHeight}×{PoolWidth} does not fit the input {Height}×{Width}: the output would be empty.");
        if ((long)Channels * Height * Width > int.MaxValue)
            throw new ArgumentException("Pooling shape is too large: the input element count exceeds the largest span length.");
    }
}
