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

    internal const string ShapesCnn = """
        using ModelGen;

        namespace Demo.Vision;

        [Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 32)]
        [Input(1, 20, 20)]
        [Conv2D(32, 3, Activation = Activation.ReLU)]
        [MaxPool2D(2)]
        [Flatten]
        [Dense(64, Activation = Activation.ReLU)]
        [Dropout(0.5)]
        [Dense(3)]
        public partial class ShapesNet { }
        """;

    internal const string ResidualNormCnn = """
        using ModelGen;

        namespace Demo.Vision;

        [Model(MaxBatchSize = 8)]
        [Input(3, 8, 8)]
        [Conv2D(4, 3, Padding = Padding.Same)]
        [BatchNorm]
        [Residual]
        [Conv2D(4, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
        [AvgPool2D(3, Stride = 1)]
        [Conv2D(4, 3, PadHeight = 2, PadWidth = 2)]
        [ResidualEnd(Activation = Activation.ReLU)]
        [LayerNorm]
        [Flatten]
        [Dense(1)]
        public partial class ResidualNormNet { }
        """;

    internal const string StackedLstm = """
        using ModelGen;

        namespace Demo.Forecasting;

        [Model(MaxBatchSize = 32)]
        [Input(1, MaxSequenceLength = 50)]
        [Lstm(16, ReturnSequences = true, Peepholes = true)]
        [Lstm(16, Dropout = 0.1, RecurrentDropout = 0.2)]
        [Dense(1)]
        public partial class Forecaster { }
        """;

    internal const string StreamingLstm = """
        using ModelGen;

        namespace Demo.Streaming;

        [Model(MaxBatchSize = 4)]
        [Input(3, MaxSequenceLength = 20)]
        [Lstm(128)]
        [Dense(2)]
        public partial class SensorModel { }
        """;

    internal const string StreamingGru = """
        using ModelGen;

        namespace Demo.Streaming;

        [Model(MaxBatchSize = 4)]
        [Input(3, MaxSequenceLength = 20)]
        [Gru(128)]
        [Dense(2)]
        public partial class SensorModel { }
        """;

    internal const string CharGru = """
        using ModelGen;

        namespace Demo.Text;

        [Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 16)]
        [Input(1, MaxSequenceLength = 64)]
        [Embedding(65, 16)]
        [Gru(32, ReturnSequences = true, Bidirectional = true)]
        [Gru(32, ReturnSequences = true, ResetAfter = false)]
        [Dense(65)]
        public partial class CharModel { }
        """;

    internal const string Seq2Seq = """
        using ModelGen;

        namespace Demo.Text;

        [Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 8)]
        [Input(12, MaxSequenceLength = 10)]
        [Lstm(16, ReturnSequences = true)]
        [Lstm(16)]
        [Decoder(12, MaxSequenceLength = 11)]
        [Lstm(16, ReturnSequences = true)]
        [Lstm(16, ReturnSequences = true)]
        [Dense(12)]
        public partial class Reverser { }
        """;

    internal const string OneToMany = """
        using ModelGen;

        namespace Demo.Text;

        [Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 4)]
        [Input(5)]
        [Dense(8, Activation = Activation.Tanh)]
        [Decoder(1, MaxSequenceLength = 6)]
        [Embedding(7, 4)]
        [Gru(8, ReturnSequences = true)]
        [Dense(7)]
        public partial class Captioner { }
        """;

    [Theory]
    [InlineData(nameof(Seq2Seq), Seq2Seq)]
    [InlineData(nameof(OneToMany), OneToMany)]
    [InlineData(nameof(StackedLstm), StackedLstm)]
    [InlineData(nameof(StreamingLstm), StreamingLstm)]
    [InlineData(nameof(CharGru), CharGru)]
    [InlineData(nameof(ShapesCnn), ShapesCnn)]
    [InlineData(nameof(ResidualNormCnn), ResidualNormCnn)]
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
    public void Stacked_lstm_forecaster() => Snapshot.Verify(GeneratorHarness.Run(StackedLstm).SingleSource, nameof(SnapshotTests));

    [Fact]
    public void Streaming_lstm_with_a_packed_predictor_step() => Snapshot.Verify(GeneratorHarness.Run(StreamingLstm).SingleSource, nameof(SnapshotTests));

    [Fact]
    public void Streaming_gru_with_a_packed_predictor_step() => Snapshot.Verify(GeneratorHarness.Run(StreamingGru).SingleSource, nameof(SnapshotTests));

    [Fact]
    public void Embedding_bidirectional_gru_character_model() => Snapshot.Verify(GeneratorHarness.Run(CharGru).SingleSource, nameof(SnapshotTests));

    [Fact]
    public void Encoder_decoder_stacked_lstm() => Snapshot.Verify(GeneratorHarness.Run(Seq2Seq).SingleSource, nameof(SnapshotTests));

    [Fact]
    public void One_to_many_embedding_gru() => Snapshot.Verify(GeneratorHarness.Run(OneToMany).SingleSource, nameof(SnapshotTests));

    [Fact]
    public void Shapes_cnn() => Snapshot.Verify(GeneratorHarness.Run(ShapesCnn).SingleSource, nameof(SnapshotTests));

    [Fact]
    public void Residual_block_with_batch_and_layer_norm() => Snapshot.Verify(GeneratorHarness.Run(ResidualNormCnn).SingleSource, nameof(SnapshotTests));

    [Fact]
    public void Hint_name_is_namespace_and_class()
    {
        var result = GeneratorHarness.Run(Regressor);
        Assert.Equal("Demo.Forecasting.Regressor.g.cs", result.Sources.Single().HintName);
    }

    [Fact]
    public void Output_is_deterministic()
    {
        var first = GeneratorHarness.Run(Classifier).SingleSource;
        var second = GeneratorHarness.Run(Classifier).SingleSource;
        Assert.Equal(first, second); // two independent generator runs
    }
}
