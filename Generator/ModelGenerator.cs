using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Emit;
using ModelGen.Generator.Model;
using ModelGen.Generator.Parsing;
using ModelGen.Generator.Validation;

namespace ModelGen.Generator
{
    /// <summary>
    /// Turns every <c>[Model]</c> partial class into its generated half: forward pass, backward pass and
    /// training step with every size a literal constant.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class ModelGenerator : IIncrementalGenerator
    {
        /// <summary>Tracking name of the step that yields the equatable <see cref="ModelSpec"/>; tests assert it caches.</summary>
        public const string ModelSpecStep = "ModelSpec";

        /// <summary>Tracking name of the step that yields each model's diagnostics.</summary>
        public const string DiagnosticsStep = "ModelDiagnostics";

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // 1. Classes carrying [Model], found by the compiler's attribute index (cheap: no semantic
            //    model is built for classes without it). Parsing and validation run here, where the
            //    symbols and real attribute locations exist; the result pairs a spec of plain values
            //    with Roslyn diagnostics that keep their real Locations (so #pragma can silence them,
            //    unlike diagnostics rebuilt from file spans; see dotnet/runtime#92509).
            var results = context.SyntaxProvider.ForAttributeWithMetadataName(
                "ModelGen.ModelAttribute",
                predicate: static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
                transform: static (syntax, cancellationToken) => Analyze(syntax, cancellationToken));

            // 2. The spec alone: equatable, so an edit that does not change the model stops here and
            //    emission is skipped.
            var specs = results
                .Select(static (result, _) => result.Spec)
                .WithTrackingName(ModelSpecStep);

            // 3. Diagnostics on a separate output, reported as produced.
            var diagnostics = results
                .Select(static (result, _) => result.Diagnostics)
                .WithTrackingName(DiagnosticsStep);

            context.RegisterSourceOutput(diagnostics, static (output, items) =>
            {
                foreach (var diagnostic in items)
                {
                    output.ReportDiagnostic(diagnostic);
                }
            });

            // 4. Once per project with a model: NativeAOT without an instruction set (the build properties are
            //    made visible by ModelGen.props) runs every kernel's 128-bit path.
            var aotWithoutInstructionSet = context.AnalyzerConfigOptionsProvider
                .Select(static (options, _) => AotWithoutInstructionSet(options.GlobalOptions))
                .Combine(results.Collect().Select(static (all, _) => all.Length > 0));
            context.RegisterSourceOutput(aotWithoutInstructionSet, static (output, check) =>
            {
                if (check.Left && check.Right)
                {
                    output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.AotWithoutInstructionSet, Location.None));
                }
            });

            // 5. Emit one file per valid model. Emission cannot fail.
            context.RegisterSourceOutput(specs, static (output, spec) =>
            {
                if (spec is not null)
                {
                    output.AddSource(HintName(spec), ModelEmitter.Emit(spec));
                }
            });
        }

        private static bool AotWithoutInstructionSet(AnalyzerConfigOptions options) =>
            options.TryGetValue("build_property.PublishAot", out var aot) && string.Equals(aot.Trim(), "true", System.StringComparison.OrdinalIgnoreCase)
            && (!options.TryGetValue("build_property.IlcInstructionSet", out var instructionSet) || string.IsNullOrWhiteSpace(instructionSet));

        private static string HintName(ModelSpec spec) =>
            (spec.Namespace.Length > 0 ? spec.Namespace + "." : string.Empty) + spec.ClassName + ".g.cs";

        private static AnalysisResult Analyze(GeneratorAttributeSyntaxContext syntax, CancellationToken cancellationToken)
        {
            var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
            var declaration = ModelParser.Parse(syntax, diagnostics, cancellationToken);
            var spec = declaration is null ? null : ModelValidator.Validate(declaration, diagnostics);
            if (spec is not null && syntax.TargetSymbol is INamedTypeSymbol type)
            {
                // A user member the generated half would declare again: one error here, not broken generated code.
                var taken = MemberCollisions.FirstTaken(type, spec, cancellationToken);
                if (taken is not null)
                {
                    diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.MemberNameTaken, declaration!.ModelLocation, type.Name, taken));
                    spec = null;
                }
            }

            return new AnalysisResult(spec, new DiagnosticList(diagnostics.ToImmutable()));
        }

        private sealed record AnalysisResult(ModelSpec? Spec, DiagnosticList Diagnostics);
    }
}
