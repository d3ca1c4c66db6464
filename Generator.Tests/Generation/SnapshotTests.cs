using Microsoft.CodeAnalysis;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Generation;

/// <summary>The generated source of representative models, compared with reviewed snapshots, and compiled warning-free.</summary>
public class SnapshotTests
{
    internal const string Classifier = """
        using ModelGen;

        namespace Demo;

        [Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 16)]
        [Input(2)]
        [Dense(16, Activation = Activation.ReLU)]
        [Dropout(0.25)]
        [Dense(3)]
        public partial class SpiralClassifier { }
        """;

    internal const string Regressor = """
        using ModelGen;

        namespace Demo.Forecasting;

        [Model(MaxBatchSize = 8)]
        [Input(4)]
        [Dense(8, Activation = Activation.Tanh)]
        [Dense(6, Activation = Activation.Sigmoid)]
        [Dense(1)]
        internal partial class Regressor { }
        """;

    internal const string ImageMlp = """
        using ModelGen;

        [Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 4)]
        [Input(1, 5, 5)]
        [Flatten]
        [Dense(10, Activation = Activation.Sigmoid)]
        [Dense(4, Activation = Activation.Softmax)]
        public partial class TinyImageNet { }
        """;

    [Theory]
    [InlineData(nameof(Classifier), Classifier)]
    [InlineData(nameof(Regressor), Regressor)]
    [InlineData(nameof(ImageMlp), ImageMlp)]
    public void Generated_code_compiles_without_warnings(string name, string source)
    {
        var result = GeneratorHarness.Run(source);
        result.AssertNoGeneratorException();
        Assert.True(result.AllDiagnostics.IsEmpty, name + ":\n" + string.Join("\n", result.AllDiagnostics));
    }

    [Fact]
    public void Classifier_with_dropout() => Snapshot.Verify(GeneratorHarness.Run(Classifier).SingleSource, nameof(SnapshotTests));

    [Fact]
    public void Regressor_in_file_scoped_namespace() => Snapshot.Verify(GeneratorHarness.Run(Regressor).SingleSource, nameof(SnapshotTests));

    [Fact]
    public void Image_input_with_flatten_in_global_namespace() => Snapshot.Verify(GeneratorHarness.Run(ImageMlp).SingleSource, nameof(SnapshotTests));

    [Fact]
    public void Hint_name_is_namespace_and_class()
    {
        var result = GeneratorHarness.Run(Regressor);
        Assert.Equal("Demo.Forecasting.Regressor.g.cs", result.Sources.Single().HintName);
    }

    [Fact]
    public void Output_is_deterministic()
    {
        Assert.Equal(GeneratorHarness.Run(Classifier).SingleSource, GeneratorHarness.Run(Classifier).SingleSource);
    }
}
