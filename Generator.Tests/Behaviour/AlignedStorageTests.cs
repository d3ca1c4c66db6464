using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;

namespace ModelGen.Tests.Behaviour;

/// <summary>
/// Where a generated model keeps its parameters and activations: 64-byte-aligned pinned buffers (AlignedBuffer), so
/// the batch-1 kernels read whole cache lines; its slices are checked.
/// </summary>
public class AlignedStorageTests
{
    [Fact]
    public unsafe void Generated_models_keep_their_parameters_on_a_cache_line_boundary()
    {
        for (int i = 0; i < 20; i++)
        {
            // Interleaved allocations of odd sizes, so the arrays land at different offsets.
            _ = new byte[8 * (i + 1)];
            fixed (float* p = new ShapesNet(seed: i).Parameters) Assert.Equal(0, (long)p % 64);
            fixed (float* p = new LstmSeq2Seq(seed: i).Parameters) Assert.Equal(0, (long)p % 64);
        }
    }

    [Fact]
    public void Every_layer_output_starts_on_a_cache_line()
    {
        // Batch 3 × input 5 = 15 floats: packed back to back, the first layer's output would start mid-line.
        var result = GeneratorHarness.Run("""
            using ModelGen;
            [Model(MaxBatchSize = 3)] [Input(5)] [Dense(7)] [Dropout(0.5)] [Dense(3)]
            public partial class M { }
            """);

        var offsets = System.Text.RegularExpressions.Regex.Matches(result.SingleSource, @"_activations\.Slice\((\d+),")
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
        Assert.Equal([0, 16, 48, 80], offsets.Order().ToList());
    }

    [Fact]
    public void Buffer_is_zeroed_and_exactly_as_long_as_asked()
    {
        var buffer = new AlignedBuffer(37);
        Assert.Equal(37, buffer.Length);
        Assert.Equal(37, buffer.Span.Length);
        Assert.All(buffer.Span.ToArray(), v => Assert.Equal(0f, v));
        buffer.Slice(30, 7).Fill(1f);
        Assert.Equal(7f, buffer.Span.ToArray().Sum());
        Assert.Equal(0, new AlignedBuffer(0).Span.Length);
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, 38)]
    [InlineData(30, 8)]
    [InlineData(38, 0)]
    [InlineData(5, -1)]
    public void Slices_outside_the_buffer_throw(int offset, int length)
    {
        var buffer = new AlignedBuffer(37);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Slice(offset, length));
        Assert.Contains("not inside the buffer of 37", e.Message);
    }

    [Fact]
    public void Negative_length_is_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedBuffer(-1));
}
