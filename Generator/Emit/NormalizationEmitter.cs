using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    /// <summary>
    /// Layer normalization (statistics per example) and batch normalization (statistics per channel over the
    /// batch in training passes, running statistics in inference passes). Gain starts at 1, bias at 0.
    /// </summary>
    internal sealed class NormalizationEmitter : LayerEmitter
    {
        public static readonly NormalizationEmitter Instance = new();

        public override string Describe(LayerSpec layer) =>
            base.Describe(layer) + ", epsilon " + ((NormalizationSpec)layer).Epsilon.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

        public override void EmitMembers(CodeWriter writer, LayerContext context)
        {
            var norm = (NormalizationSpec)context.Layer;
            var what = Int(norm.Channels) + (norm.IsBatch ? " values, one per channel" : " values, one per feature");
            AccessorEmitter.Parameter(writer, context, "Weight", "weight", what + " (the gain)", context.Slots.WeightOffset, Dimensions(norm));
            AccessorEmitter.Parameter(writer, context, "Bias", "bias", what, context.Slots.BiasOffset, Dimensions(norm));
            if (norm.IsBatch)
            {
                AccessorEmitter.State(writer, context, "RunningMean", "running_mean", what, context.Slots.StateOffset, norm.Channels);
                AccessorEmitter.State(writer, context, "RunningVariance", "running_var", what, context.Slots.StateOffset + norm.Channels, norm.Channels);
            }
        }

        public override void EmitInitialization(CodeWriter writer, LayerContext context)
        {
            var norm = (NormalizationSpec)context.Layer;
            writer.Line(Parameters(context.Slots.WeightOffset, norm.Channels) + ".Fill(1f); // " + norm.Name + " gain 1, bias 0");
            if (norm.IsBatch)
            {
                writer.Line(Slice("_state", context.Slots.StateOffset + norm.Channels, Int(norm.Channels)) + ".Fill(1f); // " + norm.Name + " running variance 1, mean 0");
            }
        }

        public override void EmitForward(CodeWriter writer, LayerContext context)
        {
            var norm = (NormalizationSpec)context.Layer;
            var gain = Parameters(context.Slots.WeightOffset, norm.Channels);
            var bias = Parameters(context.Slots.BiasOffset, norm.Channels);
            var epsilon = Float(norm.Epsilon);
            if (!norm.IsBatch)
            {
                writer.Line(Kernels + "Normalization.LayerNormForward(" + context.Input + ", " + gain + ", " + bias + ", " + context.Output + ", "
                    + Statistics(context, 0) + ", " + Statistics(context, 1) + ", " + context.Rows + ", " + Int(norm.Channels) + ", " + epsilon + ");");
                return;
            }

            var runningMean = Slice("_state", context.Slots.StateOffset, Int(norm.Channels));
            var runningVariance = Slice("_state", context.Slots.StateOffset + norm.Channels, Int(norm.Channels));
            writer.Open("if (training)");
            writer.Line(Kernels + "Normalization.BatchNormTrainingForward(" + context.Input + ", " + gain + ", " + bias + ", " + context.Output + ", "
                + Statistics(context, 0) + ", " + Statistics(context, 1) + ", " + runningMean + ", " + runningVariance + ", " + context.Rows + ", "
                + Int(norm.Channels) + ", " + Int(norm.Spatial) + ", " + Float(norm.Momentum) + ", " + epsilon + ");");
            writer.Close();
            writer.Open("else");
            writer.Line(Kernels + "Normalization.BatchNormInferenceForward(" + context.Input + ", " + gain + ", " + bias + ", " + runningMean + ", " + runningVariance + ", "
                + context.Output + ", " + context.Rows + ", " + Int(norm.Channels) + ", " + Int(norm.Spatial) + ", " + epsilon + ");");
            writer.Close();
        }

        public override string EmitBackward(CodeWriter writer, LayerContext context)
        {
            var norm = (NormalizationSpec)context.Layer;
            var dy = Slice(context.Delta, 0, context.Rows + " * " + Int(norm.OutputShape.Size));
            var dx = Slice(context.OtherDelta, 0, context.Rows + " * " + Int(norm.InputShape.Size));
            var gain = Parameters(context.Slots.WeightOffset, norm.Channels);
            var gradients = Gradients(context.Slots.WeightOffset, norm.Channels) + ", " + Gradients(context.Slots.BiasOffset, norm.Channels);
            writer.Line(norm.IsBatch
                ? Kernels + "Normalization.BatchNormBackward(" + dy + ", " + context.Input + ", " + gain + ", " + Statistics(context, 0) + ", " + Statistics(context, 1) + ", "
                    + dx + ", " + gradients + ", " + context.Rows + ", " + Int(norm.Channels) + ", " + Int(norm.Spatial) + ");"
                : Kernels + "Normalization.LayerNormBackward(" + dy + ", " + context.Input + ", " + gain + ", " + Statistics(context, 0) + ", " + Statistics(context, 1) + ", "
                    + dx + ", " + gradients + ", " + context.Rows + ", " + Int(norm.Channels) + ");");
            return context.OtherDelta;
        }

        /// <summary>The gain's and bias's saved shape: the example's shape for layer norm (PyTorch normalized_shape), channels for batch norm.</summary>
        private static int[] Dimensions(NormalizationSpec norm) =>
            norm.IsBatch ? new[] { norm.Channels } : System.Linq.Enumerable.ToArray(norm.InputShape.Dimensions);

        /// <summary>Part 0 (means) or 1 (inverse standard deviations) of the layer's saved statistics.</summary>
        private static string Statistics(LayerContext context, int part)
        {
            var norm = (NormalizationSpec)context.Layer;
            var count = norm.IsBatch ? norm.Channels : context.Model.MaxBatchSize * System.Math.Max(norm.InputShape.Steps, 1);
            return Slice("_statistics", context.Slots.StatisticsOffset + (part * count), norm.IsBatch ? Int(count) : context.Rows);
        }
    }
}
