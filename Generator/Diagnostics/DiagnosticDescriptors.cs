using Microsoft.CodeAnalysis;

namespace ModelGen.Generator.Diagnostics
{
    /// <summary>Every diagnostic the generator reports. IDs are tracked in AnalyzerReleases.*.md and the README.</summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "ModelGen";

        public static readonly DiagnosticDescriptor ClassNotPartial = Error(
            "MG0001",
            "Model class must be partial",
            "[Model] class '{0}' must be declared 'partial' so that the generator can add its members");

        public static readonly DiagnosticDescriptor MissingInput = Error(
            "MG0002",
            "Model has no [Input]",
            "[Model] class '{0}' needs an [Input(...)] attribute declaring the shape of one example");

        public static readonly DiagnosticDescriptor NonPositiveSize = Error(
            "MG0003",
            "Size must be positive",
            "[{0}] {1} must be a positive integer, but is {2}");

        public static readonly DiagnosticDescriptor DropoutRateOutOfRange = Error(
            "MG0004",
            "Dropout rate out of range",
            "[Dropout] rate must be in [0, 1), but is {0}");

        public static readonly DiagnosticDescriptor SoftmaxNotLast = Error(
            "MG0005",
            "Softmax is only allowed on the last layer",
            "[{0}] uses Activation.Softmax but is not the last layer; softmax is fused with the loss and must be the model's output");

        public static readonly DiagnosticDescriptor LossOutputMismatch = Error(
            "MG0006",
            "Loss does not fit the output layer",
            "{0}");

        public static readonly DiagnosticDescriptor SplitDeclarations = Error(
            "MG0007",
            "Model attributes split over several partial declarations",
            "[{0}] must be on the same partial declaration of '{1}' as its [Model] attribute; layer order is the order of the attributes on one declaration");

        public static readonly DiagnosticDescriptor NeedsVectorInput = Error(
            "MG0008",
            "Layer needs a vector input",
            "[{0}] needs a vector input but receives shape {1}; insert [Flatten] before it");

        public static readonly DiagnosticDescriptor NoLayers = Error(
            "MG0009",
            "Model has no layers",
            "[Model] class '{0}' declares no layers; add at least one layer attribute such as [Dense(10)]");

        public static readonly DiagnosticDescriptor UnsupportedClassShape = Error(
            "MG0010",
            "Model class must be a top-level, non-generic class",
            "[Model] class '{0}' must be a non-generic class declared directly in a namespace");

        public static readonly DiagnosticDescriptor DropoutRateZero = Warning(
            "MG0011",
            "Dropout rate 0 has no effect",
            "[Dropout] rate is 0, so the layer has no effect; remove it or give a rate in (0, 1)");

        public static readonly DiagnosticDescriptor UnknownEnumValue = Error(
            "MG0012",
            "Unknown enum value",
            "[{0}] {1} has the value {2}, which is not a defined {1}");

        public static readonly DiagnosticDescriptor ModelTooLarge = Error(
            "MG0013",
            "Model too large",
            "[{0}] makes the model too large: {1} floats exceed the limit of {2} per buffer");

        public static readonly DiagnosticDescriptor UnsupportedInputRank = Error(
            "MG0014",
            "Unsupported input rank",
            "[Input] must have 1 dimension (a vector) or 3 (channels, height, width), but has {0}");

        public static readonly DiagnosticDescriptor NeedsImageInput = Error(
            "MG0015",
            "Layer needs a C × H × W input",
            "[{0}] needs a channels × height × width input but receives shape {1}");

        public static readonly DiagnosticDescriptor InvalidArgument = Error(
            "MG0016",
            "Invalid layer argument",
            "[{0}] {1} must be {2}, but is {3}");

        public static readonly DiagnosticDescriptor WindowDoesNotFit = Error(
            "MG0017",
            "Window larger than the input",
            "[{0}] window {1} does not fit its (padded) input {2}");

        public static readonly DiagnosticDescriptor ResidualShapeMismatch = Error(
            "MG0018",
            "Residual shapes differ",
            "[ResidualEnd] adds the block input x of shape {0} to F(x) of shape {1}; the layers of the block must keep the shape");

        public static readonly DiagnosticDescriptor UnbalancedResidual = Error(
            "MG0019",
            "Unbalanced residual block",
            "{0}");

        public static readonly DiagnosticDescriptor NotOnSequences = Error(
            "MG0020",
            "Layer cannot be applied to a sequence",
            "[{0}] cannot be applied to a sequence ({1}); end the sequence with a recurrent layer whose ReturnSequences is false first");

        public static readonly DiagnosticDescriptor NeedsSequenceInput = Error(
            "MG0021",
            "Layer needs a sequence input",
            "[{0}] needs a sequence input but receives shape {1}; declare [Input(features, MaxSequenceLength = T)], or set ReturnSequences = true on the recurrent layer before it");

        public static readonly DiagnosticDescriptor EmbeddingPlacement = Error(
            "MG0022",
            "Embedding must read token ids",
            "[Embedding] must be the first layer, reading one token id per step, but its input has shape {0}");

        public static readonly DiagnosticDescriptor InvalidEncoderDecoder = Error(
            "MG0023",
            "Invalid encoder–decoder declaration",
            "{0}");

        public static readonly DiagnosticDescriptor EncoderDecoderStateMismatch = Error(
            "MG0024",
            "Encoder and decoder states do not match",
            "{0}");

        public static readonly DiagnosticDescriptor AotWithoutInstructionSet = Warning(
            "MG0025",
            "NativeAOT without an instruction set",
            "This project publishes with NativeAOT (PublishAot) but sets no IlcInstructionSet: NativeAOT then compiles for its baseline, which on x64 has neither AVX2 nor AVX-512, and ModelGen's kernels run their 128-bit paths (several times slower). Set IlcInstructionSet, e.g. 'native' (the build machine's CPU), 'x86-x64-v3' (AVX2) or 'x86-x64-v4' (AVX-512).");

        public static readonly DiagnosticDescriptor MemberNameTaken = Error(
            "MG0026",
            "Model class declares a member the generator adds",
            "[Model] class '{0}' declares '{1}', which the generated code for this model declares too; rename yours");

        private static DiagnosticDescriptor Error(string id, string title, string message) =>
            new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

        private static DiagnosticDescriptor Warning(string id, string title, string message) =>
            new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);
    }
}
