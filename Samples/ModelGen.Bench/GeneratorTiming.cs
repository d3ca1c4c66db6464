using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelGen.Generator;

namespace ModelGen.Bench;

/// <summary>
/// G1 of docs/benchmarks.md: the time the generator adds to a build for a model of 20 layers (parse, validate, plan
/// and emit, run as the compiler runs it), and the time of a re-run after an unrelated edit, which must find the
/// model's pipeline step cached.
/// </summary>
public static class GeneratorTiming
{
    public sealed record Result(int Layers, double FullMilliseconds, double EditMilliseconds, bool Cached, int GeneratedLines);

    public static Result Measure(int rounds = 15)
    {
        var model = ModelSource();
        var references = References();
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "G1",
            [CSharpSyntaxTree.ParseText(model, options, path: "Model.cs"), CSharpSyntaxTree.ParseText("class Unrelated { int X => 1; }", options, path: "Other.cs")],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        var full = new List<double>();
        var edit = new List<double>();
        var cached = true;
        var lines = 0;
        for (var round = 0; round < rounds + 2; round++)
        {
            GeneratorDriver driver = CSharpGeneratorDriver.Create(
                [new ModelGenerator().AsSourceGenerator()],
                parseOptions: options,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
            var clock = Stopwatch.StartNew();
            driver = driver.RunGenerators(compilation);
            var fullTime = clock.Elapsed.TotalMilliseconds;
            lines = driver.GetRunResult().Results[0].GeneratedSources[0].SourceText.Lines.Count;

            // An unrelated edit: another file changes, the model's file does not.
            var other = compilation.SyntaxTrees.Last();
            var edited = compilation.ReplaceSyntaxTree(other, CSharpSyntaxTree.ParseText("class Unrelated { int X => " + (round + 2) + "; }", options, path: "Other.cs"));
            clock.Restart();
            driver = driver.RunGenerators(edited);
            var editTime = clock.Elapsed.TotalMilliseconds;
            var steps = driver.GetRunResult().Results[0].TrackedSteps[ModelGenerator.ModelSpecStep];
            cached &= steps.SelectMany(step => step.Outputs).All(output => output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
            if (round >= 2)
            {
                // The first rounds warm up the JIT.
                full.Add(fullTime);
                edit.Add(editTime);
            }
        }

        return new Result(20, Median(full), Median(edit), cached, lines);
    }

    /// <summary>A 20-layer model: convolutions, normalization, a residual block, pooling and dense layers.</summary>
    private static string ModelSource()
    {
        var text = new StringBuilder("using ModelGen;\nnamespace Bench;\n[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 32)]\n[Input(3, 32, 32)]\n");
        string[] layers =
        [
            "Conv2D(16, 3, Padding = Padding.Same, Activation = Activation.ReLU)", "BatchNorm", "Residual",
            "Conv2D(16, 3, Padding = Padding.Same, Activation = Activation.ReLU)", "Conv2D(16, 3, Padding = Padding.Same)",
            "ResidualEnd(Activation = Activation.ReLU)", "MaxPool2D(2)", "Conv2D(32, 3, Padding = Padding.Same, Activation = Activation.ReLU)",
            "BatchNorm", "MaxPool2D(2)", "Conv2D(64, 3, Activation = Activation.ReLU)", "AvgPool2D(2)", "Flatten",
            "Dense(256, Activation = Activation.ReLU)", "Dropout(0.3)", "LayerNorm", "Dense(128, Activation = Activation.Tanh)",
            "Dropout(0.2)", "Dense(64, Activation = Activation.ReLU)", "Dense(10)",
        ];
        foreach (var layer in layers)
        {
            text.Append('[').Append(layer).Append("]\n");
        }

        return text.Append("public partial class Twenty { }\n").ToString();
    }

    private static ImmutableArray<MetadataReference> References() =>
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(path) is "netstandard.dll")
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)),
        MetadataReference.CreateFromFile(typeof(ModelAttribute).Assembly.Location),
    ];

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
