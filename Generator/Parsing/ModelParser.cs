using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelGen.Generator.Diagnostics;

namespace ModelGen.Generator.Parsing
{
    /// <summary>Reads the attributes of a [Model] class into a <see cref="ModelDeclaration"/>.</summary>
    internal static class ModelParser
    {
        private const string AttributeNamespace = "ModelGen";

        /// <summary>
        /// Returns the declaration, or null with the diagnostics that explain why the class cannot be a
        /// model. Returns null and no diagnostics when the compiler itself reports the problem (an
        /// attribute whose arguments do not bind), so the user sees one error, not two.
        /// </summary>
        public static ModelDeclaration? Parse(
            GeneratorAttributeSyntaxContext context,
            ImmutableArray<Diagnostic>.Builder diagnostics,
            CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not ClassDeclarationSyntax declaration)
            {
                return null;
            }

            var modelAttribute = context.Attributes[0];
            var modelLocation = LocationOf(modelAttribute, declaration, cancellationToken);

            // A second [Model] (AllowMultiple = false) is the compiler's error CS0579, as are binding errors.
            if (context.Attributes.Length > 1 || HasBindingErrors(modelAttribute) || HasCompilerErrors(modelAttribute, context.SemanticModel, cancellationToken))
            {
                return null;
            }

            var isPartial = type.DeclaringSyntaxReferences
                .Select(reference => reference.GetSyntax(cancellationToken))
                .OfType<ClassDeclarationSyntax>()
                .All(syntax => syntax.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (!isPartial)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ClassNotPartial, modelLocation, type.Name));
                return null;
            }

            if (type.ContainingType is not null || type.IsGenericType || type.ContainingNamespace is null)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.UnsupportedClassShape, modelLocation, type.Name));
                return null;
            }

            InputDeclaration? input = null;
            var layers = ImmutableArray.CreateBuilder<LayerDeclaration>();
            var ok = true;
            foreach (var attribute in type.GetAttributes())
            {
                if (attribute.AttributeClass is not { } attributeClass
                    || attributeClass.ContainingNamespace?.ToDisplayString() != AttributeNamespace
                    || SymbolEqualityComparer.Default.Equals(attributeClass, modelAttribute.AttributeClass))
                {
                    continue;
                }

                var shortName = ShortName(attributeClass.Name);
                if (!IsModelAttribute(shortName))
                {
                    continue;
                }

                if (HasBindingErrors(attribute) || HasCompilerErrors(attribute, context.SemanticModel, cancellationToken))
                {
                    return null;
                }

                var location = LocationOf(attribute, declaration, cancellationToken);
                if (!IsOn(attribute, declaration, cancellationToken))
                {
                    diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.SplitDeclarations, location, shortName, type.Name));
                    ok = false;
                    continue;
                }

                switch (shortName)
                {
                    case "Input":
                        if (input is not null)
                        {
                            // A second [Input] is the compiler's error CS0579.
                            return null;
                        }

                        input = new InputDeclaration(IntArray(attribute.ConstructorArguments[0]), NamedInt(attribute, "MaxSequenceLength", 0), location);
                        break;
                    case "Dense":
                        layers.Add(new DenseDeclaration(
                            (int)attribute.ConstructorArguments[0].Value!,
                            NamedInt(attribute, "Activation", 0),
                            location));
                        break;
                    case "Dropout":
                        layers.Add(new DropoutDeclaration((double)attribute.ConstructorArguments[0].Value!, location));
                        break;
                    case "Flatten":
                        layers.Add(new FlattenDeclaration(location));
                        break;
                    case "Conv2D":
                        layers.Add(Conv2D(attribute, location));
                        break;
                    case "MaxPool2D":
                    case "AvgPool2D":
                        layers.Add(new PoolDeclaration(
                            shortName == "MaxPool2D",
                            (int)attribute.ConstructorArguments[0].Value!,
                            NamedInt(attribute, "Stride", 0),
                            location));
                        break;
                    case "LayerNorm":
                    case "BatchNorm":
                        layers.Add(new NormalizationDeclaration(
                            shortName == "BatchNorm",
                            NamedDouble(attribute, "Epsilon", 1e-5),
                            NamedDouble(attribute, "Momentum", 0.1),
                            location));
                        break;
                    case "Residual":
                        layers.Add(new ResidualDeclaration(location));
                        break;
                    case "SimpleRnn":
                    case "Lstm":
                    case "Gru":
                        layers.Add(Recurrent(shortName, attribute, location));
                        break;
                    case "Embedding":
                        layers.Add(new EmbeddingDeclaration(
                            (int)attribute.ConstructorArguments[0].Value!,
                            (int)attribute.ConstructorArguments[1].Value!,
                            location));
                        break;
                    case "Decoder":
                        layers.Add(new DecoderDeclaration(
                            (int)attribute.ConstructorArguments[0].Value!,
                            NamedInt(attribute, "MaxSequenceLength", 0),
                            location));
                        break;
                    case "ResidualEnd":
                        layers.Add(new ResidualEndDeclaration(NamedInt(attribute, "Activation", 0), location));
                        break;
                }
            }

            if (!ok)
            {
                return null;
            }

            return new ModelDeclaration(
                type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString(),
                type.Name,
                NamedInt(modelAttribute, "Loss", 0),
                NamedInt(modelAttribute, "MaxBatchSize", 32),
                modelLocation,
                input,
                layers.ToImmutable());
        }

        private static bool IsModelAttribute(string shortName) =>
            shortName is "Input" or "Dense" or "Dropout" or "Flatten" or "Conv2D" or "MaxPool2D" or "AvgPool2D"
                or "LayerNorm" or "BatchNorm" or "Residual" or "ResidualEnd" or "SimpleRnn" or "Lstm" or "Gru" or "Embedding" or "Decoder";

        private static RecurrentDeclaration Recurrent(string shortName, AttributeData attribute, Location location) =>
            new(
                shortName == "Lstm" ? RecurrentCell.Lstm : shortName == "Gru" ? RecurrentCell.Gru : RecurrentCell.Simple,
                (int)attribute.ConstructorArguments[0].Value!,
                NamedBool(attribute, "ReturnSequences", false),
                NamedBool(attribute, "Bidirectional", false),
                NamedDouble(attribute, "Dropout", 0),
                NamedDouble(attribute, "RecurrentDropout", 0),
                NamedInt(attribute, "Activation", 2),
                NamedBool(attribute, "Peepholes", false),
                NamedBool(attribute, "CoupledGates", false),
                NamedBool(attribute, "ResetAfter", true),
                location);

        private static Conv2DDeclaration Conv2D(AttributeData attribute, Location location)
        {
            var arguments = attribute.ConstructorArguments;
            var kernelHeight = (int)arguments[1].Value!;
            var kernelWidth = arguments.Length > 2 ? (int)arguments[2].Value! : kernelHeight;
            var stride = NamedInt(attribute, "Stride", 1);
            var strideHeight = NamedInt(attribute, "StrideHeight", 0);
            var strideWidth = NamedInt(attribute, "StrideWidth", 0);
            return new Conv2DDeclaration(
                (int)arguments[0].Value!,
                kernelHeight,
                kernelWidth,
                strideHeight == 0 ? stride : strideHeight,
                strideWidth == 0 ? stride : strideWidth,
                NamedInt(attribute, "Padding", 0),
                NamedInt(attribute, "PadHeight", -1),
                NamedInt(attribute, "PadWidth", -1),
                NamedInt(attribute, "Activation", 0),
                location);
        }

        private static string ShortName(string attributeClassName) =>
            attributeClassName.EndsWith("Attribute", System.StringComparison.Ordinal)
                ? attributeClassName.Substring(0, attributeClassName.Length - "Attribute".Length)
                : attributeClassName;

        private static bool HasBindingErrors(AttributeData attribute) =>
            attribute.AttributeConstructor is null
            || attribute.ConstructorArguments.Any(argument => argument.Kind == TypedConstantKind.Error)
            || attribute.NamedArguments.Any(argument => argument.Value.Kind == TypedConstantKind.Error);

        /// <summary>
        /// Errors the compiler reports on the attribute's own syntax. A named argument that does not convert
        /// (CS0266, e.g. <c>Activation = 3</c>) still binds to a typed constant, so only the compiler sees it.
        /// </summary>
        private static bool HasCompilerErrors(AttributeData attribute, SemanticModel semanticModel, CancellationToken cancellationToken) =>
            attribute.ApplicationSyntaxReference is { } reference
            && reference.SyntaxTree == semanticModel.SyntaxTree
            && semanticModel.GetDiagnostics(reference.Span, cancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error);

        private static ImmutableArray<int> IntArray(TypedConstant argument) =>
            argument.IsNull ? ImmutableArray<int>.Empty
            : argument.Kind == TypedConstantKind.Array
                ? argument.Values.Select(value => (int)value.Value!).ToImmutableArray()
                : ImmutableArray.Create((int)argument.Value!);

        private static int NamedInt(AttributeData attribute, string name, int defaultValue)
        {
            foreach (var argument in attribute.NamedArguments)
            {
                if (argument.Key == name && argument.Value.Value is int value)
                {
                    return value;
                }
            }

            return defaultValue;
        }

        private static bool NamedBool(AttributeData attribute, string name, bool defaultValue)
        {
            foreach (var argument in attribute.NamedArguments)
            {
                if (argument.Key == name && argument.Value.Value is bool value)
                {
                    return value;
                }
            }

            return defaultValue;
        }

        private static double NamedDouble(AttributeData attribute, string name, double defaultValue)
        {
            foreach (var argument in attribute.NamedArguments)
            {
                if (argument.Key == name && argument.Value.Value is double value)
                {
                    return value;
                }
            }

            return defaultValue;
        }

        private static bool IsOn(AttributeData attribute, ClassDeclarationSyntax declaration, CancellationToken cancellationToken)
        {
            var reference = attribute.ApplicationSyntaxReference;
            return reference is not null
                && reference.SyntaxTree == declaration.SyntaxTree
                && declaration.Span.Contains(reference.GetSyntax(cancellationToken).Span);
        }

        private static Location LocationOf(AttributeData attribute, SyntaxNode fallback, CancellationToken cancellationToken) =>
            attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? fallback.GetLocation();
    }
}
