using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    /// <summary>Conv2D: <c>Y = g(W ⋆ X + b)</c> with W stored F × C × KH × KW (PyTorch <c>Conv2d.weight</c>).</summary>
    internal sealed class Conv2DEmitter : LayerEmitter
    {
        public static readonly Conv2DEmitter Instance = new();

        public static string ShapeField(LayerSpec layer) => layer.PascalName + "Shape";

        public override string Describe(LayerSpec layer)
        {
            var conv = (Conv2DSpec)layer;
            return base.Describe(layer) + ", " + Int(conv.Filters) + " filters " + Int(conv.KernelHeight) + "×" + Int(conv.KernelWidth)
                + ", stride " + Int(conv.StrideHeight) + "×" + Int(conv.StrideWidth) + ", padding " + Int(conv.PadHeight) + "×" + Int(conv.PadWidth) + ", " + conv.Activation;
        }

        public override void EmitMembers(CodeWriter writer, LayerContext context)
        {
            var conv = (Conv2DSpec)context.Layer;
            var input = conv.InputShape.Dimensions;
            writer.Line("private static readonly global::ModelGen.Kernels.ConvShape " + ShapeField(conv) + " = new(" + Int(input[0]) + ", " + Int(input[1]) + ", " + Int(input[2]) + ", "
                + Int(conv.Filters) + ", " + Int(conv.KernelHeight) + ", " + Int(conv.KernelWidth) + ", " + Int(conv.StrideHeight) + ", " + Int(conv.StrideWidth) + ", "
                + Int(conv.PadHeight) + ", " + Int(conv.PadWidth) + ");");
            writer.Line();
            AccessorEmitter.Parameter(
                writer,
                context,
                "Weight",
                "weight",
                Int(conv.Filters) + " × " + Int(conv.Channels) + " × " + Int(conv.KernelHeight) + " × " + Int(conv.KernelWidth) + " (filters × channels × kernel)",
                context.Slots.WeightOffset,
                conv.Filters,
                conv.Channels,
                conv.KernelHeight,
                conv.KernelWidth);
            AccessorEmitter.Parameter(writer, context, "Bias", "bias", Int(conv.Filters) + " values", context.Slots.BiasOffset, conv.Filters);
        }

        public override void EmitInitialization(CodeWriter writer, LayerContext context)
        {
            var conv = (Conv2DSpec)context.Layer;
            var window = conv.KernelHeight * conv.KernelWidth;
            writer.Line(ActivationEmitter.Initialization(conv.Activation, Parameters(context.Slots.WeightOffset, conv.WeightCount), conv.Channels * window, conv.Filters * window) + " // " + conv.Name + ", bias 0");
        }

        public override void EmitForward(CodeWriter writer, LayerContext context)
        {
            var conv = (Conv2DSpec)context.Layer;
            writer.Line("var y = " + context.Output + ";");
            if (PoolEmitter.FusesReluBackward(context.Model, context.Index + 1))
            {
                // The convolution, its ReLU and the max pooling after it run as one kernel (no full-size output where the
                // shapes allow); training also records each window's arg-max for the backward pass.
                writer.Open("if (training)");
                writer.Line(PooledCall(context, "y", withIndices: true));
                writer.Close();
                if (context.PixelMajorFlag is not null)
                {
                    // A predictor's copy: pooled pixel-major, the order its dense layer's weights were packed in.
                    var pool = new LayerContext(context.Model, context.Plan, context.Index + 1);
                    writer.Open("else if (" + context.PixelMajorFlag + " && batchSize == 1)");
                    writer.Line(Kernels + "Convolution.ForwardReluMaxPoolPixelMajor(" + context.Input + ", " + Parameters(context.Slots.WeightOffset, conv.WeightCount) + ", "
                        + Parameters(context.Slots.BiasOffset, conv.Filters) + ", " + pool.Output + ", in " + ShapeField(conv) + ", in " + PoolEmitter.ShapeField(pool.Layer) + ", batchSize);");
                    writer.Close();
                }

                writer.Open("else");
                writer.Line(PooledCall(context, "y", withIndices: false));
                writer.Close();
                return;
            }

            // ReLU is fused into the convolution kernel (one pass over y instead of two).
            bool fusedRelu = conv.Activation == ActivationKind.ReLU;
            writer.Line(Kernels + (fusedRelu ? "Convolution.ForwardRelu(" : "Convolution.Forward(") + context.Input + ", " + Parameters(context.Slots.WeightOffset, conv.WeightCount) + ", "
                + Parameters(context.Slots.BiasOffset, conv.Filters) + ", y, _workspace, in " + ShapeField(conv) + ", batchSize);");
            if (!fusedRelu) ActivationEmitter.Forward(writer, conv.Activation, "y");
        }

        /// <summary>
        /// The ReLU convolution's call that also runs the max pooling after it, with <paramref name="y"/> as the scratch for
        /// the full-size output; <paramref name="withIndices"/> records the pooling's arg-max indices (training).
        /// </summary>
        public static string PooledCall(LayerContext context, string y, bool withIndices)
        {
            var conv = (Conv2DSpec)context.Layer;
            var pool = new LayerContext(context.Model, context.Plan, context.Index + 1);
            return Kernels + (withIndices ? "Convolution.ForwardReluMaxPoolWithIndices(" : "Convolution.ForwardReluMaxPool(") + context.Input + ", "
                + Parameters(context.Slots.WeightOffset, conv.WeightCount) + ", " + Parameters(context.Slots.BiasOffset, conv.Filters) + ", " + y + ", " + pool.Output + ", "
                + PoolEmitter.Indices(pool) + ", _workspace, in " + ShapeField(conv) + ", in " + PoolEmitter.ShapeField(pool.Layer) + ", batchSize);";
        }

        /// <summary>
        /// True when this ReLU convolution feeds a max pooling and needs no input gradient (nothing trainable below):
        /// its weight gradient then comes straight from the pooled gradient, without the full-size output gradient.
        /// </summary>
        public static bool TakesPooledGradient(LayerContext context) =>
            PoolEmitter.FusesReluBackward(context.Model, context.Index + 1) && !context.Slots.NeedsInputGradient;

        public override string EmitBackward(CodeWriter writer, LayerContext context)
        {
            var conv = (Conv2DSpec)context.Layer;
            if (TakesPooledGradient(context))
            {
                var pool = new LayerContext(context.Model, context.Plan, context.Index + 1);
                writer.Line("// From the pooling's output gradient (its ReLU and arg-max scatter included); nothing below needs an input gradient.");
                writer.Line(Kernels + "Convolution.BackwardWeightsFromMaxPool(" + Slice(context.Delta, 0, "batchSize * " + Int(pool.Layer.OutputShape.Size)) + ", " + pool.Output + ", "
                    + PoolEmitter.Indices(pool) + ", " + context.Input + ", " + Gradients(context.Slots.WeightOffset, conv.WeightCount) + ", " + Gradients(context.Slots.BiasOffset, conv.Filters) + ", "
                    + Slice(context.OtherDelta, 0, "batchSize * " + Int(conv.OutputShape.Size)) + ", _workspace, in " + ShapeField(conv) + ", in " + PoolEmitter.ShapeField(pool.Layer) + ", batchSize);");
                return context.Delta;
            }

            writer.Line("var dy = " + Slice(context.Delta, 0, "batchSize * " + Int(conv.OutputShape.Size)) + ";");
            if (PoolEmitter.FusesReluBackward(context.Model, context.Index + 1))
                writer.Line("// The ReLU's derivative was applied by the max pooling's backward pass.");
            else
                ActivationEmitter.Backward(writer, conv.Activation, context.Output, "dy");
            writer.Line(Kernels + "Convolution.BackwardWeights(dy, " + context.Input + ", " + Gradients(context.Slots.WeightOffset, conv.WeightCount) + ", "
                + Gradients(context.Slots.BiasOffset, conv.Filters) + ", _workspace, in " + ShapeField(conv) + ", batchSize);");
            if (!context.Slots.NeedsInputGradient)
            {
                return context.Delta;
            }

            writer.Line(Kernels + "Convolution.BackwardData(dy, " + Parameters(context.Slots.WeightOffset, conv.WeightCount) + ", "
                + Slice(context.OtherDelta, 0, "batchSize * " + Int(conv.InputShape.Size)) + ", _workspace, in " + ShapeField(conv) + ", batchSize);");
            return context.OtherDelta;
        }
    }
}
