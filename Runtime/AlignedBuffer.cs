using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelGen;

/// <summary>
/// One of a generated model's float buffers (parameters, gradients, activations, scratch): one array on the pinned
/// object heap (it never moves) whose used part starts on a 64-byte boundary, so every block at a multiple of 16
/// floats starts on a cache line. The batch-1 kernels stream weights from cache, and a load that straddles two lines
/// costs two: a GEMV over misaligned weights measured 20–25% slower on Zen 5, a whole MLP pass with a misaligned
/// activation buffer ~10%. Results do not depend on alignment (the kernels' order of summation depends only on
/// indices), only the speed does. Public only for generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct AlignedBuffer
{
    private const int LineFloats = 16;

    private readonly float[] _array;
    private readonly int _start;

    /// <summary>Zero-filled storage for <paramref name="length"/> floats.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public unsafe AlignedBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _array = GC.AllocateArray<float>(length + LineFloats - 1, pinned: true);
        nuint address = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array)); // pinned: stable
        _start = (int)((64 - (address & 63)) & 63) / sizeof(float);
        Length = length;
    }

    /// <summary>Number of parameters.</summary>
    public int Length { get; }

    /// <summary>All parameters.</summary>
    public Span<float> Span => new(_array, _start, Length);

    /// <summary>Parameters [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the buffer.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<float> Slice(int offset, int length)
    {
        if ((uint)offset > (uint)Length || (uint)length > (uint)(Length - offset))
            ThrowRange(offset, length, Length);
        return new Span<float>(_array, _start + offset, length);
    }

    /// <summary>All of the buffer, as a span (generated code passes whole buffers to the kernels).</summary>
    public static implicit operator Span<float>(AlignedBuffer buffer) => buffer.Span;

    /// <summary>All of the buffer, as a read-only span.</summary>
    public static implicit operator ReadOnlySpan<float>(AlignedBuffer buffer) => buffer.Span;

    private static void ThrowRange(int offset, int length, int total) =>
        throw new ArgumentOutOfRangeException(nameof(offset), $"Parameters [{offset}, {offset} + {length}) are not inside the buffer of {total}.");
}
