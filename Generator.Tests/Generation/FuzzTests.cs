using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelGen.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ModelGen.Tests.Generation;

/// <summary>
/// Runs the generator over a few hundred seeded random model declarations, well formed and deliberately
/// broken, and checks that it never throws, that every valid model compiles without warnings and that
/// every invalid one is rejected with an error on the user's own attribute or class.
/// Set MODELGEN_FUZZ_SEED / MODELGEN_FUZZ_CASES to explore beyond the fixed default run.
/// </summary>
public class FuzzTests
{
    private const ulong DefaultSeed = 0x4D6F64656C47656EUL; // "ModelGen"
    private const int DefaultCases = 300;
    private const int BatchSize = 50;

    private readonly ITestOutputHelper _output;

    public FuzzTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Random_declarations_are_either_generated_cleanly_or_rejected_with_located_errors()
    {
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable("MODELGEN_FUZZ_SEED"), out var s) ? s : DefaultSeed;
        var count = int.TryParse(Environment.GetEnvironmentVariable("MODELGEN_FUZZ_CASES"), out var n) && n > 0 ? n : DefaultCases;
        var clock = Stopwatch.StartNew();

        var generator = new DeclarationFuzzer(new Rng(seed));
        var cases = Enumerable.Range(0, count).Select(generator.Next).ToList();

        var failures = new List<string>();
        var outcomes = new List<Outcome>();
        foreach (var batch in cases.Chunk(BatchSize))
        {
            outcomes.AddRange(Check(batch, failures));
        }

        clock.Stop();
        var valid = outcomes.Count(o => o.Valid);
        var invalid = outcomes.Count - valid;
        var mgIds = outcomes.SelectMany(o => o.Ids).Where(id => id.StartsWith("MG", StringComparison.Ordinal)).Distinct().ToList();

        Summarize(seed, cases, outcomes, clock.Elapsed);

        Assert.True(failures.Count == 0, $"{failures.Count} fuzz failure(s) (seed {seed}):\n\n" + string.Join("\n\n", failures.Take(10)));
        Assert.True(valid >= count / 5, $"only {valid} of {count} cases were valid");
        Assert.True(invalid >= count / 5, $"only {invalid} of {count} cases were invalid");
        Assert.True(mgIds.Count >= 12, $"only {mgIds.Count} distinct MG diagnostics were hit: {string.Join(", ", mgIds.OrderBy(id => id, StringComparer.Ordinal))}");
    }

    // Found by the fuzzer: an epsilon that is positive as a double but infinite as a float was accepted and
    // emitted as the literal 'Infinityf' (CS0103 in the generated file).
    [Theory]
    [InlineData("[Model] [Input(2)] [LayerNorm(Epsilon = 1e300)] [Dense(1)] public partial class M { }")]
    [InlineData("[Model] [Input(2)] [BatchNorm(Epsilon = double.PositiveInfinity)] [Dense(1)] public partial class M { }")]
    public void Regression_epsilon_beyond_float_range_is_rejected_not_emitted_as_Infinityf(string declaration)
    {
        var result = GeneratorHarness.Run("using ModelGen;\nnamespace Demo;\n" + declaration);

        result.AssertNoGeneratorException();
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true));
        var diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("MG0016", diagnostic.Id);
        Assert.Empty(result.Sources);
    }

    // Found by the fuzzer (seed 2): a duplicate [Model] or [Input] (CS0579) still produced generated source.
    [Theory]
    [InlineData("[Model] [Model(Loss = 1)] [Input(2)] [Dense(1)] public partial class M { }")]
    [InlineData("[Model] [Model(Loss = Loss.SoftmaxCrossEntropy)] [Input(2)] [Dense(1)] public partial class M { }")]
    [InlineData("[Model] [Input(2)] [Input(3)] [Dense(1)] public partial class M { }")]
    public void Regression_duplicate_model_or_input_attribute_leaves_the_error_to_the_compiler(string declaration) =>
        AssertLeftToTheCompiler(declaration, "CS0579");

    // Found by the fuzzer (seed 3): a named argument of the wrong type (CS0266) was not seen as a binding error.
    [Theory]
    [InlineData("[Model] [Input(16)] [Dense(2, Activation = 3)] public partial class M { }")]
    [InlineData("[Model] [Input(3, MaxSequenceLength = 4)] [SimpleRnn(2, Activation = 1)] [Dense(1)] public partial class M { }")]
    [InlineData("[Model(Loss = 1)] [Input(2)] [Dense(1)] public partial class M { }")]
    public void Regression_named_argument_of_the_wrong_type_leaves_the_error_to_the_compiler(string declaration) =>
        AssertLeftToTheCompiler(declaration, "CS0266");

    // Found by the fuzzer (seed 4): input size + units overflowed int in the size check, so a huge recurrent
    // layer passed validation and the generated code allocated arrays of negative size (CS0248).
    [Theory]
    [InlineData("[Model] [Input(5, MaxSequenceLength = 7)] [Gru(2147483647)] [Dense(1)] public partial class M { }")]
    [InlineData("[Model] [Input(5, MaxSequenceLength = 7)] [Lstm(2147483647, Bidirectional = true)] [Dense(1)] public partial class M { }")]
    [InlineData("[Model] [Input(5, MaxSequenceLength = 7)] [Gru(2147483647, ReturnSequences = true, Bidirectional = true)] [Lstm(3)] public partial class M { }")]
    public void Regression_huge_recurrent_layer_is_too_large_not_negative(string declaration)
    {
        var result = GeneratorHarness.Run("using ModelGen;\nnamespace Demo;\n" + declaration);

        result.AssertNoGeneratorException();
        Assert.Equal("MG0013", Assert.Single(result.GeneratorDiagnostics).Id);
        Assert.Empty(result.Sources);
    }

    // Found by the fuzzer (seed 4): every buffer was checked on its own, but the memory plan sums them
    // (input × batch included), so the generated code allocated 'new float[-1094967296]' (CS0248). The
    // validator now totals the activation buffer in long and reports MG0013.
    [Theory]
    [InlineData("[Model] [Input(100000000)] [Dense(1)] public partial class M { }")]
    [InlineData("[Model(MaxBatchSize = 1)] [Input(1000000000)] [Dropout(0.5)] [Dropout(0.5)] [Dense(1)] public partial class M { }")]
    public void Buffers_that_fit_one_by_one_but_not_together_are_reported_as_too_large(string declaration)
    {
        var result = GeneratorHarness.Run("using ModelGen;\nnamespace Demo;\n" + declaration);

        result.AssertNoGeneratorException();
        if (result.Sources.Length > 0)
        {
            Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true));
        }
        else
        {
            Assert.Equal("MG0013", Assert.Single(result.GeneratorDiagnostics).Id);
        }
    }

    private static void AssertLeftToTheCompiler(string declaration, string compilerError)
    {
        var result = GeneratorHarness.Run("using ModelGen;\nnamespace Demo;\n" + declaration);

        result.AssertNoGeneratorException();
        Assert.Contains(result.Output.GetDiagnostics(), d => d.Id == compilerError);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.Sources);
    }

    /// <summary>Runs one compilation holding every case of the batch and checks each case's outcome.</summary>
    private static List<Outcome> Check(FuzzCase[] batch, List<string> failures)
    {
        var sources = batch.SelectMany(c => c.Sources).ToArray();
        var owner = new Dictionary<string, FuzzCase>(StringComparer.Ordinal);
        var file = 0;
        foreach (var fuzzCase in batch)
        {
            foreach (var _ in fuzzCase.Sources)
            {
                owner[$"Model{file++}.cs"] = fuzzCase;
            }
        }

        var result = GeneratorHarness.Run(sources);
        var run = result.Run.Results.Single();
        var crashes = result.GeneratorDiagnostics.Concat(result.Output.GetDiagnostics())
            .Where(d => d.Id is "AD0001" or "CS8784" or "CS8785")
            .ToList();
        if (run.Exception is not null || crashes.Count > 0)
        {
            // Find the culprits one by one so the report names a declaration, not a batch.
            var reported = false;
            foreach (var fuzzCase in batch)
            {
                var single = GeneratorHarness.Run(fuzzCase.Sources);
                var exception = single.Run.Results.Single().Exception;
                var crash = single.GeneratorDiagnostics.FirstOrDefault(d => d.Id is "AD0001" or "CS8784" or "CS8785");
                if (exception is not null || crash is not null)
                {
                    failures.Add($"GENERATOR CRASH in case {fuzzCase.Name}:\n{fuzzCase.Text}\n{exception?.ToString() ?? crash!.ToString()}");
                    reported = true;
                }
            }

            if (!reported)
            {
                failures.Add($"GENERATOR CRASH in a batch of {batch.Length} that no single case reproduces: {run.Exception?.ToString() ?? crashes[0].ToString()}\n"
                    + string.Join("\n", batch.Select(c => c.Text)));
            }

            return batch.Select(c => new Outcome(c, Valid: false, Array.Empty<string>())).ToList();
        }

        // Generated sources by class name; hint names are [Namespace.]ClassName.g.cs.
        var generated = new Dictionary<string, GeneratedSourceResult>(StringComparer.Ordinal);
        foreach (var source in run.GeneratedSources)
        {
            var name = source.HintName.Substring(0, source.HintName.Length - ".g.cs".Length);
            name = name.Substring(name.LastIndexOf('.') + 1);
            if (!generated.TryAdd(name, source))
            {
                failures.Add($"two generated sources for class {name}: {source.HintName}");
            }
        }

        foreach (var name in generated.Keys.Where(name => batch.All(c => c.Name != name)))
        {
            failures.Add($"generated source {generated[name].HintName} belongs to no case");
        }

        // Every diagnostic of the generator and of the final compilation, attributed to a case by file.
        var compilerDiagnostics = result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        var userDiagnostics = new Dictionary<FuzzCase, List<Diagnostic>>();
        var generatedDiagnostics = new Dictionary<string, List<Diagnostic>>(StringComparer.Ordinal);
        foreach (var diagnostic in result.GeneratorDiagnostics.Concat(compilerDiagnostics).Distinct())
        {
            var path = diagnostic.Location.SourceTree?.FilePath;
            if (diagnostic.Id.StartsWith("MG", StringComparison.Ordinal)
                && (diagnostic.Location.Kind != LocationKind.SourceFile || path is null || !owner.ContainsKey(path)))
            {
                failures.Add($"{diagnostic.Id} is not located in user source: {diagnostic} (location kind {diagnostic.Location.Kind}, file '{path}')");
                continue;
            }

            if (path is not null && owner.TryGetValue(path, out var fuzzCase))
            {
                Add(userDiagnostics, fuzzCase, diagnostic);
            }
            else if (path is not null && generated.Keys.FirstOrDefault(name => path.EndsWith(generated[name].HintName, StringComparison.Ordinal)) is { } name)
            {
                Add(generatedDiagnostics, name, diagnostic);
            }
            else
            {
                failures.Add($"diagnostic attributable to no case: {diagnostic}");
            }
        }

        var outcomes = new List<Outcome>();
        foreach (var fuzzCase in batch)
        {
            var diagnostics = userDiagnostics.TryGetValue(fuzzCase, out var list) ? list : new List<Diagnostic>();
            var isValid = generated.ContainsKey(fuzzCase.Name);
            var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            var context = $"case {fuzzCase.Name} ({fuzzCase.Mode}):\n{fuzzCase.Text}\ndiagnostics:\n  " + string.Join("\n  ", diagnostics);

            foreach (var diagnostic in diagnostics.Where(d => d.Id.StartsWith("MG", StringComparison.Ordinal)))
            {
                var tree = diagnostic.Location.SourceTree!;
                var node = tree.GetRoot().FindNode(diagnostic.Location.SourceSpan);
                if (node is not (AttributeSyntax or ClassDeclarationSyntax))
                {
                    failures.Add($"{diagnostic.Id} is on a {node.Kind()} ('{node}'), not on an attribute or the class, in {context}");
                }
            }

            if (isValid)
            {
                if (errors.Count > 0)
                {
                    failures.Add($"source generated although errors were reported, in {context}");
                }

                if (generatedDiagnostics.TryGetValue(fuzzCase.Name, out var broken))
                {
                    failures.Add($"BROKEN GENERATED CODE in {context}\ngenerated-code diagnostics:\n  "
                        + string.Join("\n  ", broken.Take(5)) + "\n" + Excerpt(broken[0]));
                }
            }
            else if (errors.Count == 0)
            {
                failures.Add($"no source generated and no error reported, in {context}");
            }

            outcomes.Add(new Outcome(fuzzCase, isValid, diagnostics.Select(d => d.Id).ToArray()));
        }

        return outcomes;
    }

    private static void Add<TKey>(Dictionary<TKey, List<Diagnostic>> map, TKey key, Diagnostic diagnostic)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = new List<Diagnostic>();
        }

        list.Add(diagnostic);
    }

    private static string Excerpt(Diagnostic diagnostic)
    {
        var line = diagnostic.Location.GetLineSpan().StartLinePosition.Line;
        var lines = diagnostic.Location.SourceTree!.GetText().Lines;
        return "  > " + lines[line].ToString().Trim();
    }

    private void Summarize(ulong seed, List<FuzzCase> cases, List<Outcome> outcomes, TimeSpan elapsed)
    {
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"seed {seed}, {cases.Count} cases in {cases.Sum(c => c.Sources.Length)} files, {elapsed.TotalSeconds:F1} s wall, {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F1} s CPU (whole test process)");
        report.AppendLine(CultureInfo.InvariantCulture, $"valid {outcomes.Count(o => o.Valid)}, invalid {outcomes.Count(o => !o.Valid)}");
        foreach (var mode in outcomes.GroupBy(o => o.Case.Mode).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"  {mode.Key,-12} {mode.Count(),4} cases, {mode.Count(o => o.Valid),4} valid");
        }

        report.AppendLine("ID        cases  diagnostics");
        foreach (var group in outcomes.SelectMany(o => o.Ids.Select(id => (o.Case, id))).GroupBy(x => x.id).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"{group.Key,-8} {group.Select(x => x.Case).Distinct().Count(),6}  {group.Count(),11}");
        }

        _output.WriteLine(report.ToString());
    }

    private sealed record Outcome(FuzzCase Case, bool Valid, string[] Ids);

    internal sealed record FuzzCase(string Name, string Mode, string[] Sources)
    {
        public string Text => string.Join("\n// ---- next file ----\n", Sources);
    }

    /// <summary>Builds random model declarations from a seeded <see cref="Rng"/>.</summary>
    internal sealed class DeclarationFuzzer
    {
        private static readonly string[] Activations = { "Activation.Identity", "Activation.Sigmoid", "Activation.Tanh", "Activation.ReLU" };
        private static readonly string[] BadInts = { "0", "-1", "-7", "100000", "1000000", "2147483647", "-2147483648" };
        private static readonly string[] BadRates = { "-0.1", "1.0", "1", "1.5", "-1e300", "double.NaN", "double.PositiveInfinity", "double.NegativeInfinity" };
        private static readonly string[] OddRates = { "0", "0.0", "1e-300", "0.999999999", "0.5f" };
        private static readonly string[] BadEpsilons = { "0", "-1e-5", "double.NaN", "double.PositiveInfinity", "1e300", "1e-300", "1e-50", "1e39" };
        private static readonly string[] BadMomentums = { "-0.1", "1.5", "double.NaN", "0", "1" };
        private static readonly string[] BadActivations = { "Activation.Softmax", "(Activation)42", "(Activation)(-1)", "(Activation)5" };
        private static readonly string[] WrongTypes =
        {
            "[Dense(\"x\")]", "[Dropout(true)]", "[Dense(1.5)]", "[Conv2D(4, \"3\")]", "[Dense(2, Activation = 3)]",
            "[Input(\"a\")]", "[Embedding(10)]", "[Lstm(4, Bidirectional = 1)]", "[MaxPool2D(2.0)]", "[LayerNorm(Epsilon = \"small\")]",
            "[Gru(4, Dropout = true)]", "[Dense]", "[Model(Loss = 1)]", "[Conv2D(4, 3, Padding = 1)]",
        };

        private readonly Rng _rng;

        public DeclarationFuzzer(Rng rng) => _rng = rng;

        public FuzzCase Next(int index)
        {
            var name = "Fuzz" + index.ToString("D4", CultureInfo.InvariantCulture);
            var roll = _rng.NextDouble();
            var attributes = roll < 0.55 ? WellFormed() : Chaotic();
            var mode = roll < 0.3 ? "well-formed" : roll < 0.55 ? "mutated" : "chaotic";
            if (mode == "mutated")
            {
                Mutate(attributes);
            }

            // Structural defects, on top of either kind of stack.
            var defect = Chance(0.2) ? Int(0, 8) : -1;
            var partial = "partial ";
            var typeParameters = string.Empty;
            string? second = null;
            var nested = false;
            switch (defect)
            {
                case 0:
                    partial = string.Empty;
                    mode = "not-partial";
                    break;
                case 1:
                    attributes.RemoveAll(a => a.StartsWith("[Input", StringComparison.Ordinal));
                    mode = "no-input";
                    break;
                case 2:
                    nested = true;
                    mode = "nested";
                    break;
                case 3:
                    typeParameters = Pick("<T>", "<T, U>");
                    mode = "generic";
                    break;
                case 4 when attributes.Count > 2:
                    // Move the last few attributes to a second partial declaration.
                    var moved = attributes.Skip(Int(2, attributes.Count - 1)).ToList();
                    attributes.RemoveRange(attributes.Count - moved.Count, moved.Count);
                    second = string.Join(" ", moved);
                    mode = "split";
                    break;
                case 5:
                    // A harmless second partial declaration (no attributes): still valid if the stack is.
                    second = string.Empty;
                    mode = "split-plain";
                    break;
                case 6:
                    attributes.Insert(Int(0, attributes.Count), Pick(WrongTypes));
                    mode = "wrong-type";
                    break;
                case 7:
                    attributes.RemoveAll(a => !a.StartsWith("[Input", StringComparison.Ordinal) && !a.StartsWith("[Model", StringComparison.Ordinal));
                    mode = "no-layers";
                    break;
                case 8:
                    Shuffle(attributes);
                    mode = "shuffled";
                    break;
            }

            var globalNamespace = Chance(0.1);
            var header = "using ModelGen;\n" + (globalNamespace ? string.Empty : "namespace Fuzz;\n");
            var modifiers = Pick("public ", "internal ", string.Empty, "public sealed ");
            var layout = Chance(0.5) ? "\n" : " ";
            var body = Pick("{ }", "{ public int Extra => 1; }", "{ private readonly int _seed = 3; public int Seed => _seed; }");
            var declaration = string.Join(layout, attributes) + layout + modifiers + partial + "class " + name + typeParameters + " " + body;
            if (nested)
            {
                declaration = "public partial class Outer" + name + "\n{\n" + declaration + "\n}";
            }

            var sources = new List<string> { header + declaration + "\n" };
            if (second is not null)
            {
                sources.Add(header + second + (second.Length > 0 ? "\n" : string.Empty) + "partial class " + name + typeParameters + " { public int Other => 2; }\n");
            }

            return new FuzzCase(name, mode, sources.ToArray());
        }

        // ---- Well formed: a shape-aware stack meant to be valid. ----

        private List<string> WellFormed()
        {
            var attributes = new List<string>();
            var layers = new List<string>();
            Shape shape;
            switch (Int(0, 3))
            {
                case 0:
                    shape = Shape.Vector(Int(1, 24));
                    attributes.Add($"[Input({shape.Features})]");
                    break;
                case 1:
                    shape = Shape.Image(Int(1, 3), Int(3, 12), Int(3, 12));
                    attributes.Add($"[Input({shape.C}, {shape.H}, {shape.W})]");
                    break;
                case 2:
                    shape = Shape.Sequence(Int(1, 6), Int(1, 8));
                    attributes.Add($"[Input({shape.Features}, MaxSequenceLength = {shape.Steps})]");
                    break;
                default:
                    // Token ids, read by an embedding.
                    shape = Shape.Sequence(1, Int(2, 8));
                    attributes.Add($"[Input(1, MaxSequenceLength = {shape.Steps})]");
                    var dimension = Int(1, 8);
                    layers.Add($"[Embedding({Int(2, 40)}, {dimension})]");
                    shape = Shape.Sequence(dimension, shape.Steps);
                    break;
            }

            var target = Int(1, 8);
            while (layers.Count < target)
            {
                shape = AddWellFormedLayer(shape, layers, target - layers.Count);
            }

            var decoder = Chance(0.25);
            if (decoder)
            {
                shape = AddDecoder(shape, layers);
            }

            var softmax = false;
            if (Chance(0.4))
            {
                // Close with a classifier head for the softmax cross-entropy loss (per step after a decoder).
                if (shape.IsSequence && !decoder)
                {
                    layers.Add($"[{Pick("SimpleRnn", "Lstm", "Gru")}({Int(1, 6)})]");
                }
                else if (shape.IsImage)
                {
                    layers.Add("[Flatten]");
                }

                layers.Add(Chance(0.5) ? $"[Dense({Int(2, 6)}, Activation = Activation.Softmax)]" : $"[Dense({Int(2, 6)})]");
                softmax = true;
            }

            var options = new List<string>();
            if (softmax)
            {
                options.Add("Loss = Loss.SoftmaxCrossEntropy");
            }
            else if (Chance(0.3))
            {
                options.Add("Loss = Loss.MeanSquaredError");
            }

            if (Chance(0.5))
            {
                options.Add($"MaxBatchSize = {Int(1, 64)}");
            }

            attributes.Insert(0, options.Count == 0 ? Pick("[Model]", "[Model()]") : $"[Model({string.Join(", ", options)})]");
            attributes.AddRange(layers);
            return attributes;
        }

        /// <summary>Ends the encoder in a vector and adds a decoder whose first recurrent layer that vector seeds.</summary>
        private Shape AddDecoder(Shape shape, List<string> layers)
        {
            if (shape.IsImage)
            {
                layers.Add("[Flatten]");
            }
            else if (shape.IsSequence)
            {
                layers.Add($"[{Pick("SimpleRnn", "Lstm", "Gru")}({Int(1, 6)})]");
            }

            var units = Int(1, 6);
            layers.Add($"[Dense({units}, Activation = {Pick(Activations)})]");
            var steps = Int(1, 6);
            if (Chance(0.3))
            {
                layers.Add($"[Decoder(1, MaxSequenceLength = {steps})]");
                layers.Add($"[Embedding({Int(2, 10)}, {Int(1, 4)})]");
            }
            else
            {
                layers.Add($"[Decoder({Int(1, 6)}, MaxSequenceLength = {steps})]");
            }

            layers.Add($"[{Pick("SimpleRnn", "Lstm", "Gru")}({units}, ReturnSequences = true)]");
            return Shape.Sequence(units, steps);
        }

        private Shape AddWellFormedLayer(Shape shape, List<string> layers, int room)
        {
            if (shape.IsSequence)
            {
                switch (Int(0, 5))
                {
                    case 0:
                    case 1:
                    case 2:
                        var units = Int(1, 6);
                        var options = RecurrentOptions(valid: true, out var returnSequences, out var bidirectional);
                        layers.Add($"[{Pick("SimpleRnn", "Lstm", "Gru")}({units}{options})]");
                        var width = bidirectional ? 2 * units : units;
                        return returnSequences ? Shape.Sequence(width, shape.Steps) : Shape.Vector(width);
                    case 3:
                        var dense = Int(1, 6);
                        layers.Add($"[Dense({dense}, Activation = {Pick(Activations)})]");
                        return Shape.Sequence(dense, shape.Steps);
                    case 4:
                        layers.Add($"[Dropout({Rate()})]");
                        return shape;
                    default:
                        layers.Add(Chance(0.5) ? "[LayerNorm]" : $"[LayerNorm(Epsilon = {Pick("1e-5", "1e-3", "0.1")})]");
                        return shape;
                }
            }

            if (shape.IsImage)
            {
                switch (Int(0, 6))
                {
                    case 0:
                    case 1:
                        return Conv(shape, layers);
                    case 2:
                        var size = Int(1, Math.Min(3, Math.Min(shape.H, shape.W)));
                        var stride = Chance(0.5) ? string.Empty : $", Stride = {Int(1, 3)}";
                        layers.Add($"[{Pick("MaxPool2D", "AvgPool2D")}({size}{stride})]");
                        var s = stride.Length == 0 ? size : int.Parse(stride.Substring(", Stride = ".Length), CultureInfo.InvariantCulture);
                        return Shape.Image(shape.C, ((shape.H - size) / s) + 1, ((shape.W - size) / s) + 1);
                    case 3:
                        layers.Add(Pick("[BatchNorm]", "[BatchNorm(Momentum = 0.2)]", "[LayerNorm]", "[BatchNorm(Epsilon = 1e-3, Momentum = 0.05)]"));
                        return shape;
                    case 4 when room >= 3:
                        // A shape-preserving residual block: same padding, stride 1, odd kernel, filters = channels.
                        layers.Add("[Residual]");
                        layers.Add($"[Conv2D({shape.C}, {Pick(1, 3)}, Padding = Padding.Same, Activation = {Pick(Activations)})]");
                        if (room >= 4 && Chance(0.5))
                        {
                            layers.Add(Pick("[BatchNorm]", "[Dropout(0.1)]", "[LayerNorm]"));
                        }

                        layers.Add(Chance(0.5) ? "[ResidualEnd]" : $"[ResidualEnd(Activation = {Pick(Activations)})]");
                        return shape;
                    case 5:
                        layers.Add($"[Dropout({Rate()})]");
                        return shape;
                    default:
                        layers.Add("[Flatten]");
                        return Shape.Vector(shape.C * shape.H * shape.W);
                }
            }

            switch (Int(0, 5))
            {
                case 0:
                case 1:
                    var units = Int(1, 24);
                    layers.Add(Chance(0.3) ? $"[Dense({units})]" : $"[Dense({units}, Activation = {Pick(Activations)})]");
                    return Shape.Vector(units);
                case 2:
                    layers.Add($"[Dropout({Rate()})]");
                    return shape;
                case 3:
                    layers.Add(Pick("[LayerNorm]", "[BatchNorm]", "[BatchNorm(Momentum = 1)]", "[LayerNorm(Epsilon = 0.01)]"));
                    return shape;
                case 4 when room >= 3:
                    layers.Add("[Residual]");
                    layers.Add($"[Dense({shape.Features}, Activation = {Pick(Activations)})]");
                    layers.Add(Chance(0.5) ? "[ResidualEnd]" : $"[ResidualEnd(Activation = {Pick(Activations)})]");
                    return shape;
                default:
                    layers.Add("[Flatten]");
                    return shape;
            }
        }

        private Shape Conv(Shape shape, List<string> layers)
        {
            var filters = Int(1, 6);
            var kh = Int(1, Math.Min(5, shape.H));
            var kw = Chance(0.6) && kh <= shape.W ? kh : Int(1, Math.Min(5, shape.W));
            var arguments = kw == kh && Chance(0.7) ? $"{filters}, {kh}" : $"{filters}, {kh}, {kw}";
            int sh = 1, sw = 1, ph = 0, pw = 0;
            if (Chance(0.3))
            {
                sh = sw = Int(1, 3);
                arguments += $", Stride = {sh}";
            }

            if (Chance(0.2))
            {
                sw = Int(1, 3);
                arguments += $", StrideWidth = {sw}";
            }

            if (Chance(0.3) && kh % 2 == 1 && kw % 2 == 1)
            {
                arguments += ", Padding = Padding.Same";
                ph = kh / 2;
                pw = kw / 2;
            }

            if (Chance(0.2))
            {
                ph = Int(0, 2);
                arguments += $", PadHeight = {ph}";
            }

            if (Chance(0.2))
            {
                pw = Int(0, 2);
                arguments += $", PadWidth = {pw}";
            }

            if (Chance(0.6))
            {
                arguments += $", Activation = {Pick(Activations)}";
            }

            layers.Add($"[Conv2D({arguments})]");
            return Shape.Image(filters, ((shape.H + (2 * ph) - kh) / sh) + 1, ((shape.W + (2 * pw) - kw) / sw) + 1);
        }

        private string RecurrentOptions(bool valid, out bool returnSequences, out bool bidirectional)
        {
            var options = new StringBuilder();
            returnSequences = Chance(0.5);
            bidirectional = Chance(0.3);
            if (returnSequences)
            {
                options.Append(", ReturnSequences = true");
            }
            else if (Chance(0.2))
            {
                options.Append(", ReturnSequences = false");
            }

            if (bidirectional)
            {
                options.Append(", Bidirectional = true");
            }

            if (Chance(0.3))
            {
                options.Append(", Dropout = ").Append(valid || Chance(0.5) ? Rate() : Pick(BadRates));
            }

            if (Chance(0.3))
            {
                options.Append(", RecurrentDropout = ").Append(valid || Chance(0.5) ? Rate() : Pick(BadRates));
            }

            return options.ToString();
        }

        /// <summary>One random change to a well-formed stack: an edge value, a chaotic layer, a bad input or model option.</summary>
        private void Mutate(List<string> attributes)
        {
            // attributes[0] is [Model], attributes[1] is [Input], the layers follow.
            var layer = Int(2, attributes.Count - 1);
            switch (Int(0, 6))
            {
                case 0:
                    attributes[layer] = Layer();
                    break;
                case 1:
                    attributes.Insert(Int(2, attributes.Count), Layer());
                    break;
                case 2:
                    // Shape-neutral layers with extreme but in-range values, anywhere in the stack.
                    attributes.Insert(Int(2, attributes.Count), Pick(
                        $"[LayerNorm(Epsilon = {Pick(BadEpsilons)})]",
                        $"[BatchNorm(Epsilon = {Pick(BadEpsilons)})]",
                        $"[BatchNorm(Momentum = {Pick(BadMomentums)})]",
                        $"[Dropout({Pick(OddRates)})]",
                        $"[Dropout({Pick(BadRates)})]"));
                    break;
                case 3:
                    attributes[0] = Model();
                    break;
                case 4:
                    attributes[0] = $"[Model(MaxBatchSize = {Pick("1", "100000", "1000000", "2147483647", "0")})]";
                    break;
                case 5:
                    attributes[1] = Input();
                    break;
                default:
                    // Widen one layer to a huge size.
                    attributes[layer] = System.Text.RegularExpressions.Regex.Replace(attributes[layer], @"\((\d+)", "(" + Pick("100000", "46341", "65536", "2147483647"));
                    break;
            }
        }

        // ---- Chaotic: any layers in any order, with bad values mixed in. ----

        private List<string> Chaotic()
        {
            var attributes = new List<string> { Model(), Input() };
            var count = Int(1, 8);
            for (var i = 0; i < count; i++)
            {
                attributes.Add(Layer());
            }

            if (Chance(0.15))
            {
                var length = Chance(0.2) ? string.Empty : ", MaxSequenceLength = " + Size(6);
                attributes.Insert(Int(1, attributes.Count), $"[Decoder({Size(12)}{length})]");
            }

            return attributes;
        }

        private string Model()
        {
            var options = new List<string>();
            if (Chance(0.4))
            {
                options.Add("Loss = " + (Chance(0.15) ? Pick("(Loss)7", "(Loss)(-1)", "(Loss)2") : Pick("Loss.MeanSquaredError", "Loss.SoftmaxCrossEntropy")));
            }

            if (Chance(0.3))
            {
                options.Add("MaxBatchSize = " + (Chance(0.3) ? Pick(BadInts) : Int(1, 64).ToString(CultureInfo.InvariantCulture)));
            }

            return options.Count == 0 ? "[Model]" : $"[Model({string.Join(", ", options)})]";
        }

        private string Input()
        {
            var sequence = Chance(0.3);
            var rank = Chance(0.1) ? Pick(0, 2, 4) : Chance(0.5) ? 1 : 3;
            if (sequence && Chance(0.8))
            {
                rank = 1;
            }

            var dimensions = Enumerable.Range(0, rank).Select(_ => Size(rank == 3 ? 10 : 24)).ToList();
            if (rank == 1 && Chance(0.2))
            {
                dimensions[0] = "1";
            }

            var arguments = string.Join(", ", dimensions);
            if (rank == 0 && Chance(0.3))
            {
                arguments = Pick("null", "new int[0]");
            }

            if (sequence)
            {
                var steps = Chance(0.15) ? Pick("0", "-1", "100000", "2147483647") : Int(1, 10).ToString(CultureInfo.InvariantCulture);
                arguments += (arguments.Length > 0 ? ", " : string.Empty) + "MaxSequenceLength = " + steps;
            }

            return arguments.Length == 0 ? "[Input]" : $"[Input({arguments})]";
        }

        private string Layer()
        {
            switch (Int(0, 14))
            {
                case 0:
                case 1:
                    return $"[Dense({Size(16)}{Activation()})]";
                case 2:
                    return $"[Dropout({(Chance(0.3) ? Pick(BadRates) : Chance(0.2) ? Pick(OddRates) : Rate())})]";
                case 3:
                    return "[Flatten]";
                case 4:
                    {
                        var arguments = Chance(0.5) ? $"{Size(6)}, {Size(5)}" : $"{Size(6)}, {Size(5)}, {Size(5)}";
                        if (Chance(0.3))
                        {
                            arguments += ", Stride = " + (Chance(0.2) ? Pick(BadInts) : Int(1, 3).ToString(CultureInfo.InvariantCulture));
                        }

                        if (Chance(0.15))
                        {
                            arguments += ", StrideHeight = " + Pick("0", "1", "2", "-1", "100000");
                        }

                        if (Chance(0.15))
                        {
                            arguments += ", StrideWidth = " + Pick("0", "1", "2", "-3");
                        }

                        if (Chance(0.3))
                        {
                            arguments += ", Padding = " + Pick("Padding.Same", "Padding.Valid", "(Padding)2", "(Padding)(-1)");
                        }

                        if (Chance(0.2))
                        {
                            arguments += ", PadHeight = " + Pick("-1", "-2", "0", "1", "3", "100000", "1073741824");
                        }

                        if (Chance(0.2))
                        {
                            arguments += ", PadWidth = " + Pick("-1", "-5", "0", "2", "20000");
                        }

                        return $"[Conv2D({arguments}{Activation()})]";
                    }

                case 5:
                case 6:
                    {
                        var stride = Chance(0.3) ? ", Stride = " + Pick("0", "1", "2", "-1", "3", "100000") : string.Empty;
                        return $"[{Pick("MaxPool2D", "AvgPool2D")}({Size(4)}{stride})]";
                    }

                case 7:
                    return Chance(0.4) ? "[LayerNorm]" : $"[LayerNorm(Epsilon = {(Chance(0.5) ? Pick(BadEpsilons) : "1e-4")})]";
                case 8:
                    {
                        var options = new List<string>();
                        if (Chance(0.4))
                        {
                            options.Add("Epsilon = " + (Chance(0.5) ? Pick(BadEpsilons) : "1e-3"));
                        }

                        if (Chance(0.4))
                        {
                            options.Add("Momentum = " + (Chance(0.5) ? Pick(BadMomentums) : "0.3"));
                        }

                        return options.Count == 0 ? "[BatchNorm]" : $"[BatchNorm({string.Join(", ", options)})]";
                    }

                case 9:
                    return "[Residual]";
                case 10:
                    return "[ResidualEnd" + (Chance(0.4) ? $"(Activation = {(Chance(0.3) ? Pick(BadActivations) : Pick(Activations))})]" : "]");
                case 11:
                case 12:
                    {
                        var cell = Pick("SimpleRnn", "Lstm", "Gru");
                        var options = RecurrentOptions(valid: false, out _, out _);
                        if (cell == "SimpleRnn" && Chance(0.4))
                        {
                            options += ", Activation = " + (Chance(0.3) ? Pick(BadActivations) : Pick(Activations));
                        }
                        else if (cell == "Lstm" && Chance(0.5))
                        {
                            options += Pick(", Peepholes = true", ", CoupledGates = true", ", Peepholes = true, CoupledGates = true");
                        }
                        else if (cell == "Gru" && Chance(0.4))
                        {
                            options += ", ResetAfter = " + Pick("true", "false");
                        }

                        return $"[{cell}({Size(6)}{options})]";
                    }

                default:
                    return $"[Embedding({Size(40)}, {Size(8)})]";
            }
        }

        /// <summary>A size: mostly small and positive, sometimes zero, negative or huge.</summary>
        private string Size(int max) =>
            Chance(0.12) ? Pick(BadInts) : Int(1, max).ToString(CultureInfo.InvariantCulture);

        private string Activation()
        {
            if (!Chance(0.5))
            {
                return string.Empty;
            }

            return ", Activation = " + (Chance(0.25) ? Pick(BadActivations) : Pick(Activations));
        }

        private string Rate() => Pick("0.1", "0.25", "0.5", "0.05", "0.9", "1e-3");

        private bool Chance(double p) => _rng.NextDouble() < p;

        private int Int(int min, int max) => min + _rng.NextInt(max - min + 1);

        private T Pick<T>(params T[] items) => items[_rng.NextInt(items.Length)];

        private void Shuffle<T>(List<T> items)
        {
            for (var i = items.Count - 1; i > 0; i--)
            {
                var j = _rng.NextInt(i + 1);
                (items[i], items[j]) = (items[j], items[i]);
            }
        }
    }

    /// <summary>The fuzzer's own idea of a layer's output shape, for building well-formed stacks.</summary>
    private sealed record Shape(int Features, int C, int H, int W, int Steps)
    {
        public bool IsImage => C > 0;

        public bool IsSequence => Steps > 0;

        public static Shape Vector(int features) => new(features, 0, 0, 0, 0);

        public static Shape Image(int c, int h, int w) => new(0, c, h, w, 0);

        public static Shape Sequence(int features, int steps) => new(features, 0, 0, 0, steps);
    }
}
