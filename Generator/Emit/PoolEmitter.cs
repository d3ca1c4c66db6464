using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    /// <summary>Max or average pooling per channel; max pooling remembers each window's arg-max for backward.</summary>
    internal sealed class PoolEmitter : LayerEmitter
    {
        public static readonly PoolEmitter Instance = new();

        public override string Describe(LayerSpec layer)
        {
            var pool = (PoolSpec)layer;
            return base.Describe(layer) + ", window " + Int(pool.Size) + "×" + Int(pool.Size) + ", stride " + Int(pool.Stride);
        }

        public override void EmitMembers(CodeWriter writer, LayerContext context)
        {
            var pool = (PoolSpec)context.Layer;
            var input = pool.InputShape.Dimensions;
            writer.Line("private static readonly global::ModelGen.Kernels.PoolShape " + ShapeField(pool) + " = new(" + Int(input[0]) + ", " + Int(input[1]) + ", " + Int(input[2]) + ", "
                + Int(pool.Size) + ", " + Int(pool.Size) + ", " + Int(pool.Stride) + ", " + Int(pool.Stride) + ");");
            writer.Line();
        }

        public override void EmitForward(CodeWriter writer, LayerContext context)
        {
            var pool = (PoolSpec)context.Layer;
            if (FusesReluBackward(context.Model, context.Index))
            {
                writer.Line("// The convolution before this pooling pooled its output itself (with the arg-max indices in training).");
                return;
            }

            writer.Line(pool.IsMax
                ? Kernels + "Pooling.MaxForward(" + context.Input + ", " + context.Output + ", " + Indices(context) + ", in " + ShapeField(pool) + ", batchSize);"
                : Kernels + "Pooling.AverageForward(" + context.Input + ", " + context.Output + ", in " + ShapeField(pool) + ", batchSize);");
        }

        public override string EmitBackward(CodeWriter writer, LayerContext context)
        {
            if (!context.Slots.NeedsInputGradient)
            {
                writer.Line("// Nothing trainable below: no input gradient needed.");
                return context.Delta;
            }

            var pool = (PoolSpec)context.Layer;
            var dy = Slice(context.Delta, 0, "batchSize * " + Int(pool.OutputShape.Size));
            var dx = Slice(context.OtherDelta, 0, "batchSize * " + Int(pool.InputShape.Size));
            if (FusesReluBackward(context.Model, context.Index))
            {
                // An inference forward pass fused the convolution and this pooling and kept no arg-max indices: recompute them.
                var conv = new LayerContext(context.Model, context.Plan, context.Index - 1);
                writer.Open("if (!_trainingPass)");
                writer.Line("var y = " + conv.Output + ";");
                writer.Line(Conv2DEmitter.PooledCall(conv, "y", withIndices: true));
                writer.Close();
                if (Conv2DEmitter.TakesPooledGradient(conv))
                {
                    writer.Line("// The convolution below computes its gradients from this pooling's output gradient (Convolution.BackwardWeightsFromMaxPool).");
                    return context.Delta;
                }

                // The ReLU of the convolution below is differentiated here: the pooled output is the ReLU output at
                // each window's arg-max, so "pooled > 0" is the ReLU's mask exactly where a gradient lands.
                writer.Line(Kernels + "Pooling.MaxBackwardRelu(" + dy + ", " + context.Output + ", " + Indices(context) + ", " + dx + ", in " + ShapeField(pool) + ", batchSize);");
                return context.OtherDelta;
            }

            writer.Line(pool.IsMax
                ? Kernels + "Pooling.MaxBackward(" + dy + ", " + Indices(context) + ", " + dx + ", in " + ShapeField(pool) + ", batchSize);"
                : Kernels + "Pooling.AverageBackward(" + dy + ", " + dx + ", in " + ShapeField(pool) + ", batchSize);");
            return context.OtherDelta;
        }

        /// <summary>
        /// True when the layer at <paramref name="index"/> is a max pooling right after a ReLU convolution: its backward
        /// pass then applies the ReLU's derivative too, and the convolution skips it.
        /// </summary>
        public static bool FusesReluBackward(ModelSpec model, int index) =>
            index > 0 && index < model.Layers.Count
            && model.Layers[index] is PoolSpec { IsMax: true }
            && model.Layers[index - 1] is Conv2DSpec { Activation: ActivationKind.ReLU };

        public static string ShapeField(LayerSpec layer) => layer.PascalName + "Shape";

        public static string Indices(LayerContext context) =>
            "new global::System.Span<int>(_indices, " + Int(context.Slots.IndexOffset) + ", batchSize * " + Int(context.Layer.OutputShape.Size) + ")";
    }
}
