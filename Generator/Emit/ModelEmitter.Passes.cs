using System.Collections.Generic;
using ModelGen.Generator.Model;
using ModelGen.Generator.Planning;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    internal static partial class ModelEmitter
    {
        private static void EmitForwardPass(CodeWriter writer, ModelSpec model, MemoryPlan plan, List<LayerContext> layers)
        {
            writer.Open("private void RunForward(global::System.ReadOnlySpan<float> inputs, int batchSize, bool training)");
            writer.Line("// The input is copied so that Backward can read it after the caller's span is gone.");
            writer.Line("inputs.CopyTo(" + Activation(plan.InputOffset, model.InputShape.Size) + ");");
            foreach (var layer in layers)
            {
                var emitter = LayerEmitter.For(layer.Layer);
                writer.Line();
                writer.Line("// " + emitter.Describe(layer.Layer));
                writer.Open();
                emitter.EmitForward(writer, layer);
                writer.Close();
            }

            writer.Line();
            writer.Line("_forwardBatchSize = batchSize;");
            writer.Line("_trainingPass = training;");
            writer.Close();
            writer.Line();
        }

        private static void EmitBackwardPass(CodeWriter writer, List<LayerContext> layers)
        {
            writer.Open("private void RunBackward(int batchSize)");
            writer.Line("// _deltaA holds dLoss/dOutput; each layer turns the gradient w.r.t. its output into its");
            writer.Line("// parameter gradients and the gradient w.r.t. its input, in _deltaA or _deltaB.");
            writer.Line("global::System.Array.Clear(_gradients);");
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

            writer.Close();
            writer.Line();
        }
    }
}
