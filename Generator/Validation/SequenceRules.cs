using System;
using Microsoft.CodeAnalysis;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Model;
using ModelGen.Generator.Parsing;

namespace ModelGen.Generator.Validation
{
    /// <summary>Shape rules of the sequence layers: recurrent layers and embeddings.</summary>
    internal static class SequenceRules
    {
        public static LayerSpec? Recurrent(RecurrentDeclaration rnn, string name, Shape input, Action<DiagnosticDescriptor, Location, object[]> report)
        {
            if (rnn.Units <= 0)
            {
                report(DiagnosticDescriptors.NonPositiveSize, rnn.Location, new object[] { rnn.AttributeName, "units", rnn.Units });
                return null;
            }

            if (!input.IsSequence)
            {
                report(DiagnosticDescriptors.NeedsSequenceInput, rnn.Location, new object[] { rnn.AttributeName, input.ToString() });
                return null;
            }

            if (!Rate(rnn, "Dropout", rnn.Dropout, report) || !Rate(rnn, "RecurrentDropout", rnn.RecurrentDropout, report))
            {
                return null;
            }

            if (rnn.Cell == RecurrentCell.Simple)
            {
                if (!LayerRules.KnownActivation(rnn, rnn.Activation, report))
                {
                    return null;
                }

                if (rnn.Activation == (int)ActivationKind.Softmax)
                {
                    report(DiagnosticDescriptors.InvalidArgument, rnn.Location, new object[] { rnn.AttributeName, "Activation", "Tanh, Sigmoid, Identity or ReLU", "Softmax" });
                    return null;
                }
            }

            var width = rnn.Bidirectional ? 2 * rnn.Units : rnn.Units;
            var output = rnn.ReturnSequences ? Shape.Sequence(input.Steps, width) : Shape.Vector(width);
            var cell = rnn.Cell switch { RecurrentCell.Lstm => CellKind.Lstm, RecurrentCell.Gru => CellKind.Gru, _ => CellKind.Simple };
            var spec = new RecurrentSpec(
                name,
                input,
                output,
                cell,
                rnn.Units,
                rnn.ReturnSequences,
                rnn.Bidirectional,
                rnn.Dropout,
                rnn.RecurrentDropout,
                (ActivationKind)rnn.Activation,
                rnn.Peepholes && cell == CellKind.Lstm,
                rnn.CoupledGates && cell == CellKind.Lstm,
                rnn.ResetAfter);
            // In double: spec.Gates and input.Size + Units overflow int, and their product long, for huge layers.
            var gates = (double)rnn.Units * (cell switch { CellKind.Lstm => spec.CoupledGates ? 3 : 4, CellKind.Gru => 3, _ => 1 });
            var weights = gates * ((double)input.Size + rnn.Units) * 2;
            if (weights > ModelValidator.MaxBufferLength)
            {
                report(DiagnosticDescriptors.ModelTooLarge, rnn.Location, new object[] { rnn.AttributeName, weights, ModelValidator.MaxBufferLength });
                return null;
            }

            return spec;
        }

        public static LayerSpec? Embedding(EmbeddingDeclaration embedding, string name, bool readsInput, Shape input, Action<DiagnosticDescriptor, Location, object[]> report)
        {
            if (embedding.Vocabulary <= 0 || embedding.Dimension <= 0)
            {
                var (what, value) = embedding.Vocabulary <= 0 ? ("vocabulary", embedding.Vocabulary) : ("dimension", embedding.Dimension);
                report(DiagnosticDescriptors.NonPositiveSize, embedding.Location, new object[] { embedding.AttributeName, what, value });
                return null;
            }

            if (!readsInput || input.Rank != 1 || input.Size != 1)
            {
                report(DiagnosticDescriptors.EmbeddingPlacement, embedding.Location, new object[] { input.ToString() });
                return null;
            }

            if ((long)embedding.Vocabulary * embedding.Dimension > ModelValidator.MaxBufferLength)
            {
                report(DiagnosticDescriptors.ModelTooLarge, embedding.Location, new object[] { embedding.AttributeName, (long)embedding.Vocabulary * embedding.Dimension, ModelValidator.MaxBufferLength });
                return null;
            }

            var output = new Shape(new EquatableArray<int>(new[] { embedding.Dimension }), input.Steps);
            return new EmbeddingSpec(name, input, output, embedding.Vocabulary, embedding.Dimension);
        }

        private static bool Rate(LayerDeclaration layer, string what, double rate, Action<DiagnosticDescriptor, Location, object[]> report)
        {
            if (!double.IsNaN(rate) && rate >= 0 && (float)rate < 1f)
            {
                return true;
            }

            report(DiagnosticDescriptors.InvalidArgument, layer.Location, new object[] { layer.AttributeName, what, "in [0, 1)", rate });
            return false;
        }
    }
}
