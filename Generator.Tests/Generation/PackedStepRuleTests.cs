using ModelGen.Kernels;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Generation;

/// <summary>
/// The generator plans a predictor's packed recurrent step for exactly the widths the runtime's packed kernels take
/// (<see cref="RecurrentPacking.Takes"/>): the two rules live in two assemblies (the generator targets netstandard2.0),
/// so this holds them together.
/// </summary>
public sealed class PackedStepRuleTests
{
    public static TheoryData<string, int> Layers()
    {
        var data = new TheoryData<string, int>();
        foreach (var cell in new[] { "Lstm", "Gru" })
            foreach (var h in new[] { 1, 2, 5, 15, 16, 17, 31, 32, 33, 47, 48, 50, 64, 80, 96, 100, 128 })
                data.Add(cell, h);
        return data;
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void The_generator_packs_the_widths_the_kernels_take(string cell, int hidden)
    {
        var source = $$"""
            using ModelGen;

            namespace Demo.Rule;

            [Model(MaxBatchSize = 2)]
            [Input(2, MaxSequenceLength = 4)]
            [{{cell}}({{hidden}})]
            [Dense(1)]
            public partial class Streaming { }
            """;
        var generated = GeneratorHarness.Run(source).SingleSource;
        Assert.Equal(RecurrentPacking.Takes(hidden), generated.Contains(cell + ".StepPacked(", StringComparison.Ordinal));
    }
}
