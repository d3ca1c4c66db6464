using Microsoft.CodeAnalysis;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Generation;

/// <summary>One test per diagnostic: right ID, on the offending attribute, and no generated code for that model.</summary>
public class DiagnosticTests
{
    [Theory]
    [InlineData("MG0001", "Model", "[Model] [Input(2)] [Dense(1)] public class M { }")]
    [InlineData("MG0002", "Model", "[Model] [Dense(1)] public partial class M { }")]
    [InlineData("MG0003", "Dense(0)", "[Model] [Input(2)] [Dense(0)] public partial class M { }")]
    [InlineData("MG0003", "Input(2, 0, 3)", "[Model] [Input(2, 0, 3)] [Flatten] [Dense(1)] public partial class M { }")]
    [InlineData("MG0003", "Model(MaxBatchSize = 0)", "[Model(MaxBatchSize = 0)] [Input(2)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0004", "Dropout(1.0)", "[Model] [Input(2)] [Dense(4)] [Dropout(1.0)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0004", "Dropout(-0.1)", "[Model] [Input(2)] [Dropout(-0.1)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0005", "Dense(4, Activation = Activation.Softmax)", "[Model(Loss = Loss.SoftmaxCrossEntropy)] [Input(2)] [Dense(4, Activation = Activation.Softmax)] [Dense(2)] public partial class M { }")]
    [InlineData("MG0006", "Dense(2, Activation = Activation.ReLU)", "[Model(Loss = Loss.SoftmaxCrossEntropy)] [Input(2)] [Dense(2, Activation = Activation.ReLU)] public partial class M { }")]
    [InlineData("MG0006", "Dropout(0.5)", "[Model(Loss = Loss.SoftmaxCrossEntropy)] [Input(2)] [Dense(2)] [Dropout(0.5)] public partial class M { }")]
    [InlineData("MG0006", "Dense(2, Activation = Activation.Softmax)", "[Model] [Input(2)] [Dense(2, Activation = Activation.Softmax)] public partial class M { }")]
    [InlineData("MG0008", "Dense(3)", "[Model] [Input(1, 4, 4)] [Dense(3)] public partial class M { }")]
    [InlineData("MG0009", "Model", "[Model] [Input(2)] public partial class M { }")]
    [InlineData("MG0010", "Model", "public partial class Outer { [Model] [Input(2)] [Dense(1)] public partial class M { } }")]
    [InlineData("MG0010", "Model", "[Model] [Input(2)] [Dense(1)] public partial class M<T> { }")]
    [InlineData("MG0012", "Dense(2, Activation = (Activation)42)", "[Model] [Input(2)] [Dense(2, Activation = (Activation)42)] public partial class M { }")]
    [InlineData("MG0012", "Model(Loss = (Loss)7)", "[Model(Loss = (Loss)7)] [Input(2)] [Dense(2)] public partial class M { }")]
    [InlineData("MG0013", "Dense(100000)", "[Model] [Input(100000)] [Dense(100000)] public partial class M { }")]
    [InlineData("MG0014", "Input(2, 3)", "[Model] [Input(2, 3)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0014", "Input", "[Model] [Input] [Dense(1)] public partial class M { }")]
    [InlineData("MG0003", "Conv2D(8, 3, Stride = 0)", "[Model] [Input(1, 8, 8)] [Conv2D(8, 3, Stride = 0)] [Flatten] [Dense(1)] public partial class M { }")]
    [InlineData("MG0003", "Conv2D(0, 3)", "[Model] [Input(1, 8, 8)] [Conv2D(0, 3)] [Flatten] [Dense(1)] public partial class M { }")]
    [InlineData("MG0003", "MaxPool2D(2, Stride = -1)", "[Model] [Input(1, 8, 8)] [MaxPool2D(2, Stride = -1)] [Flatten] [Dense(1)] public partial class M { }")]
    [InlineData("MG0015", "Conv2D(4, 3)", "[Model] [Input(64)] [Conv2D(4, 3)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0015", "MaxPool2D(2)", "[Model] [Input(8)] [MaxPool2D(2)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0016", "Conv2D(4, 2, Padding = Padding.Same)", "[Model] [Input(1, 8, 8)] [Conv2D(4, 2, Padding = Padding.Same)] [Flatten] [Dense(1)] public partial class M { }")]
    [InlineData("MG0016", "Conv2D(4, 3, PadWidth = -2)", "[Model] [Input(1, 8, 8)] [Conv2D(4, 3, PadWidth = -2)] [Flatten] [Dense(1)] public partial class M { }")]
    [InlineData("MG0016", "BatchNorm(Momentum = 1.5)", "[Model] [Input(4)] [BatchNorm(Momentum = 1.5)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0016", "LayerNorm(Epsilon = 0)", "[Model] [Input(4)] [LayerNorm(Epsilon = 0)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0017", "Conv2D(4, 5)", "[Model] [Input(1, 4, 4)] [Conv2D(4, 5)] [Flatten] [Dense(1)] public partial class M { }")]
    [InlineData("MG0017", "MaxPool2D(5)", "[Model] [Input(1, 4, 4)] [MaxPool2D(5)] [Flatten] [Dense(1)] public partial class M { }")]
    [InlineData("MG0018", "ResidualEnd", "[Model] [Input(1, 8, 8)] [Residual] [Conv2D(4, 3)] [ResidualEnd] [Flatten] [Dense(1)] public partial class M { }")]
    [InlineData("MG0019", "ResidualEnd", "[Model] [Input(4)] [Dense(4)] [ResidualEnd] [Dense(1)] public partial class M { }")]
    [InlineData("MG0019", "Residual", "[Model] [Input(4)] [Residual] [Dense(4)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0005", "Conv2D(4, 3, Activation = Activation.Softmax)", "[Model] [Input(1, 8, 8)] [Conv2D(4, 3, Activation = Activation.Softmax)] [Flatten] [Dense(1)] public partial class M { }")]
    [InlineData("MG0020", "Flatten", "[Model] [Input(3, MaxSequenceLength = 5)] [Flatten] [Dense(1)] public partial class M { }")]
    [InlineData("MG0021", "Lstm(4)", "[Model] [Input(3)] [Lstm(4)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0021", "Gru(4)", "[Model] [Input(3, MaxSequenceLength = 5)] [Lstm(4)] [Gru(4)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0022", "Embedding(10, 4)", "[Model] [Input(2, MaxSequenceLength = 5)] [Embedding(10, 4)] [Gru(4)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0022", "Embedding(10, 4)", "[Model] [Input(1, MaxSequenceLength = 5)] [Dense(1)] [Embedding(10, 4)] [Gru(4)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0003", "SimpleRnn(0)", "[Model] [Input(3, MaxSequenceLength = 5)] [SimpleRnn(0)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0003", "Input(3, MaxSequenceLength = -2)", "[Model] [Input(3, MaxSequenceLength = -2)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0016", "Input(1, 4, 4, MaxSequenceLength = 5)", "[Model] [Input(1, 4, 4, MaxSequenceLength = 5)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0016", "Lstm(4, RecurrentDropout = 1.0)", "[Model] [Input(3, MaxSequenceLength = 5)] [Lstm(4, RecurrentDropout = 1.0)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0016", "SimpleRnn(4, Activation = Activation.Softmax)", "[Model] [Input(3, MaxSequenceLength = 5)] [SimpleRnn(4, Activation = Activation.Softmax)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0004", "Dropout(0.999999999)", "[Model] [Input(2)] [Dropout(0.999999999)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0016", "LayerNorm(Epsilon = 1e-50)", "[Model] [Input(4)] [LayerNorm(Epsilon = 1e-50)] [Dense(1)] public partial class M { }")]
    [InlineData("MG0023", "Decoder(3, MaxSequenceLength = 2)", "[Model] [Input(3, MaxSequenceLength = 5)] [Lstm(4)] [Decoder(3, MaxSequenceLength = 4)] [Lstm(4, ReturnSequences = true)] [Decoder(3, MaxSequenceLength = 2)] [Lstm(4, ReturnSequences = true)] [Dense(3)] public partial class M { }")]
    [InlineData("MG0023", "Decoder(3, MaxSequenceLength = 4)", "[Model] [Input(3, MaxSequenceLength = 5)] [Lstm(4, ReturnSequences = true)] [Decoder(3, MaxSequenceLength = 4)] [Lstm(4, ReturnSequences = true)] [Dense(3)] public partial class M { }")]
    [InlineData("MG0023", "Decoder(3, MaxSequenceLength = 4)", "[Model] [Input(3, MaxSequenceLength = 5)] [Lstm(4)] [Decoder(3, MaxSequenceLength = 4)] [Dense(3)] public partial class M { }")]
    [InlineData("MG0023", "Lstm(4, Peepholes = true)", "[Model] [Input(3, MaxSequenceLength = 5)] [Lstm(4)] [Decoder(3, MaxSequenceLength = 4)] [Lstm(4, Peepholes = true)] [Dense(3)] public partial class M { }")]
    [InlineData("MG0023", "Decoder(3, MaxSequenceLength = 4)", "[Model] [Input(4)] [Residual] [Dense(4)] [Decoder(3, MaxSequenceLength = 4)] [Gru(4, ReturnSequences = true)] [Dense(3)] public partial class M { }")]
    [InlineData("MG0024", "Decoder(3, MaxSequenceLength = 4)", "[Model] [Input(3, MaxSequenceLength = 5)] [Lstm(4)] [Decoder(3, MaxSequenceLength = 4)] [Lstm(4, ReturnSequences = true)] [Lstm(4, ReturnSequences = true)] [Dense(3)] public partial class M { }")]
    [InlineData("MG0024", "Lstm(5, ReturnSequences = true)", "[Model] [Input(3, MaxSequenceLength = 5)] [Lstm(4)] [Decoder(3, MaxSequenceLength = 4)] [Lstm(5, ReturnSequences = true)] [Dense(3)] public partial class M { }")]
    [InlineData("MG0024", "Gru(4, ReturnSequences = true)", "[Model] [Input(3, MaxSequenceLength = 5)] [Lstm(4)] [Decoder(3, MaxSequenceLength = 4)] [Gru(4, ReturnSequences = true)] [Dense(3)] public partial class M { }")]
    [InlineData("MG0024", "Lstm(5, ReturnSequences = true)", "[Model] [Input(4)] [Dense(6)] [Decoder(3, MaxSequenceLength = 4)] [Lstm(5, ReturnSequences = true)] [Dense(3)] public partial class M { }")]
    [InlineData("MG0024", "Lstm(4, Bidirectional = true)", "[Model] [Input(3, MaxSequenceLength = 5)] [Lstm(4, Bidirectional = true)] [Decoder(3, MaxSequenceLength = 4)] [Lstm(8, ReturnSequences = true)] [Dense(3)] public partial class M { }")]
    [InlineData("MG0024", "Gru(4, ReturnSequences = true, Bidirectional = true)", "[Model] [Input(4)] [Decoder(3, MaxSequenceLength = 4)] [Gru(4, ReturnSequences = true, Bidirectional = true)] [Dense(3)] public partial class M { }")]
    [InlineData("MG0003", "Decoder(0, MaxSequenceLength = 4)", "[Model] [Input(3, MaxSequenceLength = 5)] [Lstm(4)] [Decoder(0, MaxSequenceLength = 4)] [Lstm(4, ReturnSequences = true)] [Dense(3)] public partial class M { }")]
    [InlineData("MG0026", "Model", "[Model] [Input(2)] [Dense(1)] public partial class M { public sealed class Predictor { } }")]
    [InlineData("MG0026", "Model", "[Model] [Input(2)] [Dense(1)] public partial class M { public int Parameters => 0; }")]
    [InlineData("MG0026", "Model", "[Model] [Input(2)] [Dense(1)] public partial class M { private float[] _parameters = new float[1]; }")]
    [InlineData("MG0026", "Model", "[Model] [Input(2)] [Dense(1)] public partial class M { public object CreatePredictor() => this; }")]
    [InlineData("MG0026", "Model", "[Model] [Input(2)] [Dense(1)] public partial class M { public float[] Dense1Weight = new float[2]; }")]
    [InlineData("MG0026", "Model", "[Model] [Input(2)] [Dense(1)] public partial class M { public void Dense1BiasGradient() { } }")]
    [InlineData("MG0026", "Model", "[Model] [Input(2)] [Dense(1)] public partial class M { public void Forward(System.ReadOnlySpan<float> x, System.Span<float> y) { } }")]
    [InlineData("MG0026", "Model", "[Model] [Input(2)] [Dense(1)] public partial class M { public M(int width) { } }")]
    [InlineData("MG0026", "Model", "[Model] [Input(1, 6, 6)] [Conv2D(2, 3, Activation = Activation.ReLU)] [MaxPool2D(2)] [Flatten] [Dense(2)] public partial class M { private bool _conv1PixelMajor; }")]
    [InlineData("MG0026", "Model", "[Model] [Input(3, MaxSequenceLength = 5)] [Lstm(4)] [Decoder(3, MaxSequenceLength = 4)] [Lstm(4, ReturnSequences = true)] [Dense(3)] public partial class M { public const int DecoderInputSize = 3; }")]
    [InlineData("MG0003", "Decoder(3)", "[Model] [Input(3, MaxSequenceLength = 5)] [Lstm(4)] [Decoder(3)] [Lstm(4, ReturnSequences = true)] [Dense(3)] public partial class M { }")]
    public void Error_is_reported_on_the_offending_attribute_and_nothing_is_generated(string id, string attribute, string declaration)
    {
        var result = GeneratorHarness.Run("using ModelGen;\nnamespace Demo;\n" + declaration);

        result.AssertNoGeneratorException();
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(attribute, diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Empty(result.Sources);
    }

    [Fact]
    public void Members_of_other_names_and_overloads_with_parameters_are_allowed()
    {
        var result = GeneratorHarness.Run("using ModelGen;\nnamespace Demo;\n[Model] [Input(2)] [Dense(1)] public partial class M { public int Epochs { get; set; } public void Forward(float[] input) { } public void Forward(System.ReadOnlySpan<float> x, System.Span<float> y, long batchSize) { } public string Summary(int width) => \"\"; public M() : this(0) { } public M(string path) : this(0) { Load(path); } }");

        result.AssertNoGeneratorException();
        Assert.Empty(result.AllDiagnostics);
        Assert.Single(result.Sources);
    }

    [Fact]
    public void Embedding_right_after_Decoder_reads_token_ids_and_generates_without_diagnostics()
    {
        // An embedding normally must be the first layer (MG0022); after [Decoder] it reads the decoder's token ids.
        var result = GeneratorHarness.Run("using ModelGen;\nnamespace Demo;\n[Model(Loss = Loss.SoftmaxCrossEntropy)] [Input(1, MaxSequenceLength = 5)] [Embedding(6, 3)] [Gru(5)] [Decoder(1, MaxSequenceLength = 4)] [Embedding(7, 3)] [Gru(5, ReturnSequences = true)] [Dense(7)] public partial class M { }");

        result.AssertNoGeneratorException();
        Assert.Empty(result.AllDiagnostics);
        Assert.Contains("public void Decode(", result.SingleSource, StringComparison.Ordinal);
    }

    [Fact]
    public void MG0007_attributes_split_over_partial_declarations()
    {
        var result = GeneratorHarness.Run(
            "using ModelGen;\nnamespace Demo;\n[Model] [Input(2)] [Dense(4)] public partial class M { }",
            "using ModelGen;\nnamespace Demo;\n[Dense(1)] public partial class M { }");

        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("MG0007", diagnostic.Id);
        Assert.Equal("Model1.cs", diagnostic.Location.SourceTree!.FilePath);
        Assert.Equal("Dense(1)", diagnostic.Location.SourceTree.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Empty(result.Sources);
    }

    [Fact]
    public void MG0011_dropout_rate_zero_is_a_warning_and_code_is_still_generated()
    {
        var result = GeneratorHarness.Run("using ModelGen;\nnamespace Demo;\n[Model] [Input(2)] [Dropout(0)] [Dense(1)] public partial class M { }");

        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("MG0011", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal("Dropout(0)", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Single(result.Sources);
    }

    [Fact]
    public void Pragma_silences_an_MG_warning()
    {
        // Models/PragmaSilencedModel.cs declares a model that triggers MG0011 inside
        // '#pragma warning disable MG0011'. This project builds with TreatWarningsAsErrors, so if the
        // pragma did not silence the generator's warning the test assembly would not build at all.
        // Here we check the model was generated (the warning fired on a model that still compiled).
        Assert.NotNull(typeof(ModelGen.Tests.Models.PragmaSilencedModel).GetMethod("TrainStep"));
        var result = GeneratorHarness.Run(File.ReadAllText(Path.Combine(ProjectFolder(), "Models", "PragmaSilencedModel.cs")));
        Assert.Contains(result.GeneratorDiagnostics, d => d.Id == "MG0011");
    }

    [Fact]
    public void Messages_name_the_attribute_and_the_expected_value()
    {
        var result = GeneratorHarness.Run("using ModelGen;\nnamespace Demo;\n[Model] [Input(2)] [Dense(4)] [Dropout(1.5)] [Dense(1)] public partial class M { }");

        var message = Assert.Single(result.GeneratorDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("[Dropout] rate must be in [0, 1), but is 1.5", message);
    }

    [Fact]
    public void Attribute_with_a_binding_error_leaves_the_error_to_the_compiler()
    {
        var result = GeneratorHarness.Run("using ModelGen;\nnamespace Demo;\n[Model] [Input(2)] [Dense(\"wide\")] public partial class M { }");

        result.AssertNoGeneratorException();
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.Sources);
        Assert.Contains(result.Output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
    }

    private static string ProjectFolder([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetDirectoryName(Path.GetDirectoryName(path))!;
}
