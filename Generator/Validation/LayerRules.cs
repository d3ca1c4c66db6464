using System;
using System.Collections.Generic;
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
            int index,
            bool readsInput,
            Shape input,
            bool isLast,
            LossKind loss,
            Stack<OpenResidual> residuals,
            Action<DiagnosticDescriptor, Location, object[]> report)
        {
            switch (declaration)
            {
                case Conv2DDeclaration conv:
                    return SpatialRules.Conv2D(conv, name, input, report);
                case PoolDeclaration pool:
                    return SpatialRules.Pool(pool, name, input, report);
                case NormalizationDeclaration normalization:
                    return Normalization(normalization, name, input, report);
                case ResidualDeclaration:
                    residuals.Push(new OpenResidual(index, input, declaration));
                    return new ResidualSpec(name, input, input);
                case ResidualEndDeclaration end:
                    return ResidualEnd(end, name, input, residuals, report);
                case RecurrentDeclaration rnn:
                    return SequenceRules.Recurrent(rnn, name, input, report);
                case EmbeddingDeclaration embedding:
                    return SequenceRules.Embedding(embedding, name, readsInput, input, report);
                case DecoderDeclaration decoder:
                    return EncoderDecoderRules.Decoder(decoder, name, input, residuals, report);
                case DenseDeclaration dense:
                    return Dense(dense, name, input, isLast, loss, report);
                case DropoutDeclaration dropout:
                    if (double.IsNaN(dropout.Rate) || dropout.Rate < 0 || (float)dropout.Rate >= 1f)
                    {
                        report(DiagnosticDescriptors.DropoutRateOutOfRange, dropout.Location, new object[] { dropout.Rate });
                        return null;
                    }

                    if (dropout.Rate == 0)
                    {
                        report(DiagnosticDescriptors.DropoutRateZero, dropout.Location, Array.Empty<object>());
                    }

                    return new DropoutSpec(name, input, input, dropout.Rate);
                case FlattenDeclaration flatten:
                    if (input.IsSequence)
                    {
                        report(DiagnosticDescriptors.NotOnSequences, flatten.Location, new object[] { flatten.AttributeName, input.ToString() });
                        return null;
                    }

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

            if (!KnownActivation(dense, dense.Activation, report))
            {
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

            // On a sequence, a dense layer applies to every step.
            return new DenseSpec(name, input, new Shape(new EquatableArray<int>(new[] { dense.Units }), input.Steps), activation);
        }
    
        public static bool KnownActivation(LayerDeclaration layer, int activation, Action<DiagnosticDescriptor, Location, object[]> report)
        {
            if (Enum.IsDefined(typeof(ActivationKind), activation))
            {
                return true;
            }

            report(DiagnosticDescriptors.UnknownEnumValue, layer.Location, new object[] { layer.AttributeName, "Activation", activation });
            return false;
        }

        private static LayerSpec? Normalization(NormalizationDeclaration norm, string name, Shape input, Action<DiagnosticDescriptor, Location, object[]> report)
        {
            // The kernels take ε as a float: beyond float.MaxValue it would be emitted as infinity.
            if (double.IsNaN(norm.Epsilon) || (float)norm.Epsilon <= 0f || norm.Epsilon > float.MaxValue)
            {
                report(DiagnosticDescriptors.InvalidArgument, norm.Location, new object[] { norm.AttributeName, "Epsilon", "greater than 0 and at most float.MaxValue", norm.Epsilon });
                return null;
            }

            if (norm.IsBatch && (double.IsNaN(norm.Momentum) || norm.Momentum < 0 || norm.Momentum > 1))
            {
                report(DiagnosticDescriptors.InvalidArgument, norm.Location, new object[] { norm.AttributeName, "Momentum", "in [0, 1]", norm.Momentum });
                return null;
            }

            if (norm.IsBatch && input.Rank != 1 && input.Rank != 3)
            {
                report(DiagnosticDescriptors.NeedsImageInput, norm.Location, new object[] { norm.AttributeName, input.ToString() });
                return null;
            }

            return new NormalizationSpec(name, input, input, norm.IsBatch, norm.Epsilon, norm.Momentum);
        }

        private static LayerSpec? ResidualEnd(
            ResidualEndDeclaration end,
            string name,
            Shape input,
            Stack<OpenResidual> residuals,
            Action<DiagnosticDescriptor, Location, object[]> report)
        {
            if (residuals.Count == 0)
            {
                report(DiagnosticDescriptors.UnbalancedResidual, end.Location, new object[] { "[ResidualEnd] closes no block: add [Residual] before the layers whose output it adds to their input" });
                return null;
            }

            if (!KnownActivation(end, end.Activation, report))
            {
                return null;
            }

            if (end.Activation == (int)ActivationKind.Softmax)
            {
                report(DiagnosticDescriptors.SoftmaxNotLast, end.Location, new object[] { end.AttributeName });
                return null;
            }

            var start = residuals.Pop();
            if (!start.Shape.Equals(input))
            {
                report(DiagnosticDescriptors.ResidualShapeMismatch, end.Location, new object[] { start.Shape.ToString(), input.ToString() });
                return null;
            }

            return new ResidualEndSpec(name, input, input, start.Index, (ActivationKind)end.Activation);
        }
    }

    /// <summary>A [Residual] whose [ResidualEnd] has not been seen yet.</summary>
    internal sealed record OpenResidual(int Index, Shape Shape, LayerDeclaration Declaration);
}
