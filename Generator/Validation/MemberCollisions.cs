using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelGen.Generator.Emit;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Validation
{
    /// <summary>
    /// Finds a member of the user's half of a model class that the generated half would declare again (MG0026):
    /// a property, field, event or nested type of a generated member's name, or a method or constructor with a
    /// generated one's name and parameter types (others overload ours). The generated half is emitted and parsed to
    /// learn its members, so every name is covered, layer-named ones (<c>Dense1Weight</c>) included; only for a
    /// class that declares members of its own, so the common attribute-only model pays nothing.
    /// </summary>
    internal static class MemberCollisions
    {
        private static readonly SymbolDisplayFormat TypeFormat = new(
            typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameOnly,
            genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
            miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

        /// <summary>The first of the user's members the generated half of <paramref name="spec"/> declares too, or null.</summary>
        public static string? FirstTaken(INamedTypeSymbol type, ModelSpec spec, CancellationToken cancellationToken)
        {
            var userMembers = type.GetMembers().Where(member => !member.IsImplicitlyDeclared && IsComparable(member)).ToList();
            if (userMembers.Count == 0)
            {
                return null;
            }

            var generated = GeneratedMembers(ModelEmitter.Emit(spec), spec.ClassName, cancellationToken);
            foreach (var member in userMembers)
            {
                if (member is IMethodSymbol method)
                {
                    if (generated.Names.Contains(method.Name) || generated.Signatures.Contains(Signature(method)))
                    {
                        return method.MethodKind == MethodKind.Constructor ? type.Name + Parameters(method) : method.Name + Parameters(method);
                    }
                }
                else if (generated.Names.Contains(member.Name) || generated.MethodNames.Contains(member.Name))
                {
                    return member.Name;
                }
            }

            return null;
        }

        private static bool IsComparable(ISymbol member) =>
            member is IFieldSymbol or IPropertySymbol { IsIndexer: false } or IEventSymbol or INamedTypeSymbol
            || member is IMethodSymbol { MethodKind: MethodKind.Ordinary or MethodKind.Constructor, ExplicitInterfaceImplementations.IsEmpty: true };

        private static string Signature(IMethodSymbol method) =>
            (method.MethodKind == MethodKind.Constructor ? ".ctor" : method.Name) + Parameters(method);

        private static string Parameters(IMethodSymbol method) =>
            "(" + string.Join(", ", method.Parameters.Select(parameter =>
                (parameter.RefKind == RefKind.None ? string.Empty : "ref ") + parameter.Type.ToDisplayString(TypeFormat))) + ")";

        /// <summary>The members the generated class declares: non-method names, method names and method signatures.</summary>
        private static Members GeneratedMembers(string source, string className, CancellationToken cancellationToken)
        {
            var members = new Members();
            var root = CSharpSyntaxTree.ParseText(source, cancellationToken: cancellationToken).GetRoot(cancellationToken);
            var model = root.DescendantNodes().OfType<ClassDeclarationSyntax>().First(declaration => declaration.Identifier.ValueText == className);
            foreach (var member in model.Members)
            {
                switch (member)
                {
                    case MethodDeclarationSyntax { ExplicitInterfaceSpecifier: null } method:
                        members.MethodNames.Add(method.Identifier.ValueText);
                        members.Signatures.Add(method.Identifier.ValueText + Parameters(method.ParameterList));
                        break;
                    case ConstructorDeclarationSyntax constructor:
                        members.Signatures.Add(".ctor" + Parameters(constructor.ParameterList));
                        break;
                    case PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: null } property:
                        members.Names.Add(property.Identifier.ValueText);
                        break;
                    case BaseFieldDeclarationSyntax field:
                        members.Names.UnionWith(field.Declaration.Variables.Select(variable => variable.Identifier.ValueText));
                        break;
                    case EventDeclarationSyntax { ExplicitInterfaceSpecifier: null } declaredEvent:
                        members.Names.Add(declaredEvent.Identifier.ValueText);
                        break;
                    case BaseTypeDeclarationSyntax nested:
                        members.Names.Add(nested.Identifier.ValueText);
                        break;
                }
            }

            return members;
        }

        private static string Parameters(ParameterListSyntax list) =>
            "(" + string.Join(", ", list.Parameters.Select(parameter =>
                (parameter.Modifiers.Any(modifier => modifier.IsKind(SyntaxKind.RefKeyword) || modifier.IsKind(SyntaxKind.OutKeyword) || modifier.IsKind(SyntaxKind.InKeyword)) ? "ref " : string.Empty)
                + TypeName(parameter.Type!))) + ")";

        /// <summary>A type as <see cref="TypeFormat"/> shows it: no namespaces, <c>global::</c> or qualifiers.</summary>
        private static string TypeName(TypeSyntax type)
        {
            switch (type)
            {
                case QualifiedNameSyntax qualified:
                    return TypeName(qualified.Right);
                case AliasQualifiedNameSyntax alias:
                    return TypeName(alias.Name);
                case GenericNameSyntax generic:
                    return generic.Identifier.ValueText + "<" + string.Join(", ", generic.TypeArgumentList.Arguments.Select(TypeName)) + ">";
                case ArrayTypeSyntax array:
                    var text = new StringBuilder(TypeName(array.ElementType));
                    foreach (var rank in array.RankSpecifiers)
                    {
                        text.Append('[').Append(',', rank.Rank - 1).Append(']');
                    }

                    return text.ToString();
                case NullableTypeSyntax nullable:
                    return TypeName(nullable.ElementType) + "?";
                default:
                    return type.ToString();
            }
        }

        private sealed class Members
        {
            public HashSet<string> Names { get; } = new();

            public HashSet<string> MethodNames { get; } = new();

            public HashSet<string> Signatures { get; } = new();
        }
    }
}
