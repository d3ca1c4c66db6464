using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Model;
using ModelGen.Generator.Parsing;

namespace ModelGen.Generator.Validation
{
    /// <summary>The rules of <c>[Decoder]</c>: where it may stand, and that the encoder's state fits the decoder.</summary>
    internal static class EncoderDecoderRules
    {
        /// <summary>The decoder boundary: its input is the encoder's output, its output the decoder's input sequence.</summary>
        public static LayerSpec? Decoder(DecoderDeclaration decoder, string name, Shape input, Stack<OpenResidual> residuals, Action<DiagnosticDescriptor, Location, object[]> report)
        {
            if (decoder.InputSize <= 0 || decoder.MaxSequenceLength <= 0)
            {
                var (what, value) = decoder.InputSize <= 0 ? ("input size", decoder.InputSize) : ("MaxSequenceLength", decoder.MaxSequenceLength);
                report(DiagnosticDescriptors.NonPositiveSize, decoder.Location, new object[] { decoder.AttributeName, what, value });
                return null;
            }

            if (name != "decoder1")
            {
                return Invalid(decoder, "a model has one [Decoder]: it splits the layers into one encoder and one decoder", report);
            }

            if (residuals.Count > 0)
            {
                return Invalid(decoder, "[Decoder] cannot stand inside a residual block; close it with [ResidualEnd] first", report);
            }

            if (input.IsSequence || input.Rank != 1)
            {
                return Invalid(decoder, "the encoder must end in a vector (its output, or a recurrent layer's final state with ReturnSequences = false) to seed the decoder, but it ends in shape " + input, report);
            }

            if ((long)decoder.InputSize * decoder.MaxSequenceLength > ModelValidator.MaxBufferLength)
            {
                report(DiagnosticDescriptors.ModelTooLarge, decoder.Location, new object[] { decoder.AttributeName, (long)decoder.InputSize * decoder.MaxSequenceLength, ModelValidator.MaxBufferLength });
                return null;
            }

            return new DecoderSpec(name, input, Shape.Sequence(decoder.MaxSequenceLength, decoder.InputSize));
        }

        /// <summary>Checks, once every layer's shape is known, that the decoder emits a sequence and its states fit the encoder's.</summary>
        public static void CheckStates(ModelDeclaration model, List<LayerSpec> layers, Action<DiagnosticDescriptor, Location, object[]> report)
        {
            var layout = EncoderDecoder.Of(layers);
            if (layout is null)
            {
                return;
            }

            var decoderLocation = model.Layers[layout.DecoderIndex].Location;
            if (layout.DecoderRecurrentLayers.Count == 0)
            {
                report(DiagnosticDescriptors.InvalidEncoderDecoder, decoderLocation, new object[] { "the decoder needs a recurrent layer ([SimpleRnn], [Lstm] or [Gru]) after [Decoder] to carry the encoder's state" });
                return;
            }

            var lastDecoder = layout.DecoderRecurrentLayers[layout.DecoderRecurrentLayers.Count - 1];
            if (!layers[layers.Count - 1].OutputShape.IsSequence)
            {
                report(DiagnosticDescriptors.InvalidEncoderDecoder, model.Layers[lastDecoder].Location, new object[] { "the decoder must emit one output per step: set ReturnSequences = true on " + layers[lastDecoder].Name });
                return;
            }

            foreach (var index in layout.EncoderRecurrentLayers.Concat(layout.DecoderRecurrentLayers))
            {
                if (((RecurrentSpec)layers[index]).Bidirectional)
                {
                    report(DiagnosticDescriptors.EncoderDecoderStateMismatch, model.Layers[index].Location, new object[] { layers[index].Name + " is bidirectional; the recurrent layers of an encoder–decoder model must read forward so that their final states can seed the decoder" });
                    return;
                }
            }

            if (!layout.PassesStates)
            {
                var first = (RecurrentSpec)layers[layout.DecoderRecurrentLayers[0]];
                var seed = layers[layout.DecoderIndex].InputShape.Size;
                if (first.Units != seed)
                {
                    report(DiagnosticDescriptors.EncoderDecoderStateMismatch, model.Layers[layout.DecoderRecurrentLayers[0]].Location, new object[] { "the encoder's output vector (" + seed + " values) becomes the hidden state of " + first.Name + ", which has " + first.Units + " units; they must be equal" });
                }

                return;
            }

            if (layout.EncoderRecurrentLayers.Count != layout.DecoderRecurrentLayers.Count)
            {
                report(DiagnosticDescriptors.EncoderDecoderStateMismatch, decoderLocation, new object[]
                {
                    "the encoder has " + Describe(layers, layout.EncoderRecurrentLayers) + " but the decoder has " + Describe(layers, layout.DecoderRecurrentLayers)
                        + "; each encoder recurrent layer's final state initializes the decoder recurrent layer at the same depth, so the counts must be equal",
                });
                return;
            }

            for (var depth = 0; depth < layout.EncoderRecurrentLayers.Count; depth++)
            {
                var encoder = (RecurrentSpec)layers[layout.EncoderRecurrentLayers[depth]];
                var decoder = (RecurrentSpec)layers[layout.DecoderRecurrentLayers[depth]];
                if (encoder.Cell != decoder.Cell || encoder.Units != decoder.Units)
                {
                    report(DiagnosticDescriptors.EncoderDecoderStateMismatch, model.Layers[layout.DecoderRecurrentLayers[depth]].Location, new object[]
                    {
                        decoder.Name + " (" + Cell(decoder) + ") starts from the final state of " + encoder.Name + " (" + Cell(encoder) + "); their cell kind and units must match",
                    });
                }
            }
        }

        private static LayerSpec? Invalid(DecoderDeclaration decoder, string message, Action<DiagnosticDescriptor, Location, object[]> report)
        {
            report(DiagnosticDescriptors.InvalidEncoderDecoder, decoder.Location, new object[] { message });
            return null;
        }

        private static string Cell(RecurrentSpec layer) => layer.TypeName + ", " + layer.Units + " units";

        private static string Describe(List<LayerSpec> layers, IReadOnlyList<int> indices) =>
            indices.Count + " recurrent layer" + (indices.Count == 1 ? string.Empty : "s") + " (" + string.Join(", ", indices.Select(i => layers[i].Name)) + ")";
    }
}
