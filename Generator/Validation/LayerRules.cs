using System;
using Microsoft.CodeAnalysis;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Model;
using ModelGen.Generator.Parsing;

namespace ModelGen.Generator.Validation
{
    /// <summary>The shape rule and checks of each layer kind: input shape in, output shape (or diagnostics) out.</summary>
    internal static class LayerRules
    {
        public static LayerSpec? Infer(
            LayerDeclaration declaration,
            string name,
            Shape input,
            bool isLast,
            LossKind loss,
            Action<DiagnosticDescriptor, Location, object[]> report)
        {
            switch (declaration)
            {
                case DenseDeclaration dense:
                    return Dense(dense, name, input, isLast, loss, report);
                case DropoutDeclaration dropout:
                    if (double.IsNaN(dropout.Rate) || dropout.Rate < 0 || dropout.Rate >= 1)
                    {
                        report(DiagnosticDescriptors.DropoutRateOutOfRange, dropout.Location, new object[] { dropout.Rate });
                        return null;
                    }

                    if (dropout.Rate == 0)
                    {
                        report(DiagnosticDescriptors.DropoutRateZero, dropout.Location, Array.Empty<object>());
                    }

                    return new DropoutSpec(name, input, input, dropout.Rate);
                case FlattenDeclaration:
                    return new FlattenSpec(name, input, Shape.Vector(input.Size));
                default:
                    return null;
            }
        }

        private static LayerSpec? Dense(
            DenseDeclaration dense,
            string name,
            Shape input,
            bool isLast,
            LossKind loss,
            Action<DiagnosticDescriptor, Location, object[]> report)
        {
            if (dense.Units <= 0)
            {
                report(DiagnosticDescriptors.NonPositiveSize, dense.Location, new object[] { "Dense", "units", dense.Units });
                return null;
            }

            if (!Enum.IsDefined(typeof(ActivationKind), dense.Activation))
            {
                report(DiagnosticDescriptors.UnknownEnumValue, dense.Location, new object[] { "Dense", "Activation", dense.Activation });
                return null;
            }

            if (input.Rank != 1)
            {
                report(DiagnosticDescriptors.NeedsVectorInput, dense.Location, new object[] { "Dense", input.ToString() });
                return null;
            }

            var activation = (ActivationKind)dense.Activation;
            if (activation == ActivationKind.Softmax && !isLast)
            {
                report(DiagnosticDescriptors.SoftmaxNotLast, dense.Location, new object[] { "Dense" });
                return null;
            }

            if (activation == ActivationKind.Softmax && loss != LossKind.SoftmaxCrossEntropy)
            {
                report(
                    DiagnosticDescriptors.LossOutputMismatch,
                    dense.Location,
                    new object[] { "[Dense] uses Activation.Softmax, which needs [Model(Loss = Loss.SoftmaxCrossEntropy)], but the loss is " + loss });
                return null;
            }

            if ((long)dense.Units * input.Size + dense.Units > ModelValidator.MaxBufferLength)
            {
                report(DiagnosticDescriptors.ModelTooLarge, dense.Location, new object[] { "Dense", (long)dense.Units * input.Size + dense.Units, ModelValidator.MaxBufferLength });
                return null;
            }

            return new DenseSpec(name, input, Shape.Vector(dense.Units), activation);
        }
    }
}
