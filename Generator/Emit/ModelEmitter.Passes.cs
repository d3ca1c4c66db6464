using System.Collections.Generic;
using System.Linq;
using ModelGen.Generator.Model;
using ModelGen.Generator.Planning;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    internal static partial class ModelEmitter
    {
        private static void EmitForwardPass(CodeWriter writer, ModelSpec model, MemoryPlan plan, List<LayerContext> layers)
        {
            if (model.InputShape.IsSequence)
            {
                writer.Open("private void RunForward(global::System.ReadOnlySpan<float> inputs, int batchSize, int steps, bool training, bool carry)");
                writer.Line("var rows = batchSize * steps;");
                writer.Line("// Inside the model sequences are time-major ([step][example][features]): each step's batch is contiguous.");
                writer.Line("global::ModelGen.Kernels.Sequences.ToTimeMajor(inputs, " + Activation(plan.InputOffset, model.InputShape) + ", batchSize, steps, InputSize);");
            }
            else
            {
                writer.Open("private void RunForward(global::System.ReadOnlySpan<float> inputs, int batchSize, bool training)");
                writer.Line("// The input is copied so that Backward can read it after the caller's span is gone.");
                writer.Line("inputs.CopyTo(" + Activation(plan.InputOffset, model.InputShape) + ");");
            }
            EmitForwardLayers(writer, layers);
            writer.Line();
            writer.Line("_forwardBatchSize = batchSize;");
            if (model.InputShape.IsSequence)
            {
                writer.Line("_forwardSteps = steps;");
            }

            writer.Line("_trainingPass = training;");
            writer.Close();
            writer.Line();
        }

        /// <summary>Whether the model gets <c>Step</c>: sequence models without a reverse direction or a decoder.</summary>
        public static bool HasStepPass(ModelSpec model) =>
            model.InputShape.IsSequence && EncoderDecoder.Of(model) is null && !model.Layers.OfType<RecurrentSpec>().Any(layer => layer.Bidirectional);

        /// <summary>One streaming step from the carried state (see <see cref="HasStepPass"/>).</summary>
        private static void EmitStepPass(CodeWriter writer, ModelSpec model, MemoryPlan plan, List<LayerContext> layers)
        {
            writer.Open("private void RunStep(global::System.ReadOnlySpan<float> inputs, int batchSize, bool training)");
            writer.Line("const int steps = 1;");
            writer.Line("var rows = batchSize * steps;");
            if (model.Layers.OfType<RecurrentSpec>().Any(layer => layer.Cell != CellKind.Lstm))
            {
                writer.Line("var carry = true; // GRU and SimpleRNN layers take the general path, from the carried state");
            }

            writer.Line("inputs.CopyTo(" + Activation(plan.InputOffset, model.InputShape) + "); // one step: time-major is batch-major");
            EmitForwardLayers(writer, layers, step: true);

            writer.Line();
            writer.Line("_forwardBatchSize = 0; // a step keeps nothing for Backward");
            writer.Close();
            writer.Line();
        }

        private static void EmitBackwardPass(CodeWriter writer, ModelSpec model, List<LayerContext> layers)
        {
            if (model.InputShape.IsSequence)
            {
                writer.Open("private void RunBackward(int batchSize, int steps)");
                writer.Line("var rows = batchSize * steps;");
            }
            else
            {
                writer.Open("private void RunBackward(int batchSize)");
            }

            writer.Line("// _deltaA holds dLoss/dOutput; each layer turns the gradient w.r.t. its output into its");
            writer.Line("// parameter gradients and the gradient w.r.t. its input, in _deltaA or _deltaB.");
            EmitGradientClear(writer, model);
            EmitBackwardLayers(writer, layers);
            writer.Close();
            writer.Line();
        }

        /// <summary>Each layer's forward block, or with <paramref name="step"/> its streaming-step block.</summary>
        private static void EmitForwardLayers(CodeWriter writer, List<LayerContext> layers, bool step = false)
        {
            foreach (var layer in layers)
            {
                var emitter = LayerEmitter.For(layer.Layer);
                writer.Line();
                writer.Line("// " + emitter.Describe(layer.Layer));
                writer.Open();
                if (step)
                {
                    emitter.EmitStep(writer, layer);
                }
                else
                {
                    emitter.EmitForward(writer, layer);
                }

                writer.Close();
            }
        }

        /// <summary>
        /// Zeroes the gradients of the layers whose backward pass adds to them; layers that overwrite theirs (dense)
        /// are left alone, which saves clearing (and re-reading) most of an MLP's or a CNN's gradient buffer.
        /// </summary>
        private static void EmitGradientClear(CodeWriter writer, ModelSpec model)
        {
            var runs = new List<(int Start, int Length)>();
            var offset = 0;
            foreach (var layer in model.Layers)
            {
                if (layer.ParameterCount > 0 && !LayerEmitter.For(layer).OverwritesGradients)
                {
                    if (runs.Count > 0 && runs[runs.Count - 1].Start + runs[runs.Count - 1].Length == offset)
                        runs[runs.Count - 1] = (runs[runs.Count - 1].Start, runs[runs.Count - 1].Length + layer.ParameterCount);
                    else
                        runs.Add((offset, layer.ParameterCount));
                }

                offset += layer.ParameterCount;
            }

            if (runs.Count == 1 && runs[0].Length == offset)
            {
                writer.Line("_gradients.Span.Clear();");
                return;
            }

            foreach (var (start, length) in runs)
                writer.Line(Slice("_gradients", start, Int(length)) + ".Clear(); // layers that add to their gradients");
        }

        private static void EmitBackwardLayers(CodeWriter writer, List<LayerContext> layers)
        {
            var delta = "_deltaA";
            for (var i = layers.Count - 1; i >= 0; i--)
            {
                var layer = layers[i];
                var emitter = LayerEmitter.For(layer.Layer);
                layer.Delta = delta;
                writer.Line();
                writer.Line("// " + emitter.Describe(layer.Layer));
                writer.Open();
                delta = emitter.EmitBackward(writer, layer);
                writer.Close();
                if (!layer.Slots.NeedsInputGradient)
                {
                    break;
                }
            }
        }
    }
}
