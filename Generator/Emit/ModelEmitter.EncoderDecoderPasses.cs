using System.Collections.Generic;
using System.Linq;
using ModelGen.Generator.Model;
using ModelGen.Generator.Planning;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    internal static partial class ModelEmitter
    {
        /// <summary>
        /// The passes of an encoder–decoder model: the encoder runs over its input and hands its final state to the
        /// decoder's recurrent layers (through <c>_carry</c>); the decoder then runs from that state, either over a
        /// whole teacher-forced sequence or one step at a time. Backward runs the decoder's BPTT, whose gradient w.r.t.
        /// its initial state then flows into the encoder.
        /// </summary>
        private static void EmitEncoderDecoderPasses(CodeWriter writer, ModelSpec model, MemoryPlan plan, List<LayerContext> layers, EncoderDecoder layout)
        {
            var encoder = layers.Take(layout.DecoderIndex).ToList();
            var decoder = layers.Skip(layout.DecoderIndex + 1).ToList();
            var decoderSlot = plan[layout.DecoderIndex];
            var sequenceInput = model.InputShape.IsSequence;

            writer.Open("private void RunEncoder(global::System.ReadOnlySpan<float> inputs, int batchSize" + (sequenceInput ? ", int steps" : string.Empty) + ", bool training)");
            if (sequenceInput)
            {
                writer.Line("var rows = batchSize * steps;");
                writer.Line("global::ModelGen.Kernels.Sequences.ToTimeMajor(inputs, " + Activation(plan.InputOffset, model.InputShape) + ", batchSize, steps, InputSize);");
            }
            else
            {
                writer.Line("inputs.CopyTo(" + Activation(plan.InputOffset, model.InputShape) + ");");
            }

            if (encoder.Any(layer => layer.Layer is RecurrentSpec))
            {
                writer.Line("var carry = false; // every encoder pass starts from zeros");
            }

            EmitForwardLayers(writer, encoder);
            writer.Line();
            EmitHandOver(writer, model, plan, layout);
            if (sequenceInput)
            {
                writer.Line("_encoderSteps = steps;");
            }

            writer.Close();
            writer.Line();

            writer.Open("private void RunDecoder(global::System.ReadOnlySpan<float> decoderInputs, int batchSize, int steps, bool training)");
            writer.Line("var rows = batchSize * steps;");
            writer.Line("var carry = true; // the decoder continues from the state the encoder (or the previous Step) left in _carry");
            writer.Line("global::ModelGen.Kernels.Sequences.ToTimeMajor(decoderInputs, " + Activation(decoderSlot.OutputOffset, model.Layers[layout.DecoderIndex].OutputShape) + ", batchSize, steps, DecoderInputSize);");
            EmitForwardLayers(writer, decoder);
            writer.Line();
            writer.Line("_forwardBatchSize = batchSize;");
            writer.Line("_forwardSteps = steps;");
            writer.Line("_trainingPass = training;");
            writer.Close();
            writer.Line();

            writer.Open("private void RunDecoderBackward(int batchSize, int steps)");
            writer.Line("var rows = batchSize * steps;");
            EmitGradientClear(writer, model);
            EmitBackwardLayers(writer, decoder);
            writer.Close();
            writer.Line();

            writer.Open("private void RunEncoderBackward(int batchSize" + (sequenceInput ? ", int steps" : string.Empty) + ")");
            if (encoder.Count > 0)
            {
                if (sequenceInput)
                {
                    writer.Line("var rows = batchSize * steps;");
                }

                var encoderOutput = model.Layers[layout.DecoderIndex].InputShape.Size;
                var seed = Slice("_deltaA", 0, "batchSize * " + Int(encoderOutput));
                if (layout.PassesStates)
                {
                    writer.Line("// The encoder's output itself is not used: its gradient arrives through the final states.");
                    writer.Line(seed + ".Clear();");
                }
                else
                {
                    var first = (RecurrentSpec)model.Layers[layout.DecoderRecurrentLayers[0]];
                    writer.Line("// The encoder's output was the initial hidden state of " + first.Name + ": its gradient is that layer's dInitial.");
                    writer.Line(Slice(RecurrentEmitter.Field(first, 0, "DInitial"), 0, "batchSize * " + Int(first.Units)) + ".CopyTo(" + seed + ");");
                }

                EmitBackwardLayers(writer, encoder);
            }

            writer.Close();
            writer.Line();
        }

        /// <summary>Copies the encoder's final state (or output vector) into the decoder layers' carried state.</summary>
        private static void EmitHandOver(CodeWriter writer, ModelSpec model, MemoryPlan plan, EncoderDecoder layout)
        {
            var batch = model.MaxBatchSize;
            writer.Line("// Hand-over: the encoder's final state becomes the decoder's initial state.");
            if (layout.PassesStates)
            {
                for (var depth = 0; depth < layout.DecoderRecurrentLayers.Count; depth++)
                {
                    var from = (RecurrentSpec)model.Layers[layout.EncoderRecurrentLayers[depth]];
                    var to = (RecurrentSpec)model.Layers[layout.DecoderRecurrentLayers[depth]];
                    var parts = from.Cell == CellKind.Lstm ? 2 : 1;
                    for (var part = 0; part < parts; part++)
                    {
                        var shift = part * batch * from.Units;
                        writer.Line(Slice("_carry", RecurrentEmitter.CarryOffset(model, layout.EncoderRecurrentLayers[depth]) + shift, "batchSize * " + Int(from.Units)) + ".CopyTo("
                            + Slice("_carry", RecurrentEmitter.CarryOffset(model, layout.DecoderRecurrentLayers[depth]) + shift, "batchSize * " + Int(to.Units)) + "); // "
                            + from.Name + " → " + to.Name + (part == 1 ? " (cell)" : string.Empty));
                    }
                }

                return;
            }

            var encoderOutput = model.Layers[layout.DecoderIndex].InputShape;
            var outputOffset = layout.DecoderIndex == 0 ? plan.InputOffset : plan[layout.DecoderIndex - 1].OutputOffset;
            for (var depth = 0; depth < layout.DecoderRecurrentLayers.Count; depth++)
            {
                var layer = (RecurrentSpec)model.Layers[layout.DecoderRecurrentLayers[depth]];
                var offset = RecurrentEmitter.CarryOffset(model, layout.DecoderRecurrentLayers[depth]);
                if (depth == 0)
                {
                    writer.Line(Slice("_activations", outputOffset, "batchSize * " + Int(encoderOutput.Size)) + ".CopyTo(" + Slice("_carry", offset, "batchSize * " + Int(layer.Units)) + "); // the encoder's output → " + layer.Name);
                    if (layer.Cell == CellKind.Lstm)
                    {
                        writer.Line(Slice("_carry", offset + (batch * layer.Units), "batchSize * " + Int(layer.Units)) + ".Clear(); // " + layer.Name + "'s cell starts from zeros");
                    }
                }
                else
                {
                    writer.Line(Slice("_carry", offset, Int(RecurrentEmitter.CarryLength(layer, batch))) + ".Clear(); // " + layer.Name + " starts from zeros");
                }
            }
        }
    }
}
