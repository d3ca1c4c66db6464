using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace ModelGen.Generator.Parsing
{
    /// <summary>
    /// Names the generated half of a model class declares whatever its layers: a user member of the same name (a
    /// property, field, event or nested type; a method with no parameters, whose signature ours would repeat) would
    /// break the generated code, so it is reported as MG0026 instead. Methods with parameters may overload ours.
    /// </summary>
    internal static class GeneratedNames
    {
        private static readonly HashSet<string> Members = new()
        {
            "InputSize", "OutputSize", "ParameterCount", "MaxBatchSize", "MaxSequenceLength", "OutputIsSequence",
            "Parameters", "Gradients", "State", "Tensors", "RecurrentState", "CarryState", "BackpropSteps", "Predictor",
            "_parameters", "_gradients", "_state", "_activations", "_deltaA", "_deltaB", "_masks", "_indices", "_statistics",
            "_skips", "_workspace", "_dropoutRng", "_forwardBatchSize", "_trainingPass", "_packed", "_carry", "_targets",
            "_forwardSteps", "_backpropSteps", "TensorTable",
        };

        private static readonly HashSet<string> ParameterlessMethods = new() { "CreatePredictor", "ResetState", "Summary" };

        /// <summary>The first of the user's members whose name the generator takes, or null.</summary>
        public static string? FirstTaken(INamedTypeSymbol type)
        {
            foreach (var member in type.GetMembers())
            {
                if (member.IsImplicitlyDeclared)
                {
                    continue;
                }

                if (member is IMethodSymbol method)
                {
                    if (method.MethodKind == MethodKind.Ordinary && method.Parameters.Length == 0 && ParameterlessMethods.Contains(method.Name))
                    {
                        return method.Name;
                    }

                    continue;
                }

                if (Members.Contains(member.Name))
                {
                    return member.Name;
                }
            }

            return null;
        }
    }
}
